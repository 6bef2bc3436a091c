package io.omix.sdk;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The user profile of the open platform's get_user, typed: {@code api.getUser().as(User.class)}.
 * Fields the token's scopes do not allow are null.
 *
 * @param userId            the platform's id of the user ({@code profile} scope)
 * @param username          the sign-in name ({@code profile} scope)
 * @param nickname          the display name ({@code profile} scope)
 * @param email             the e-mail address ({@code email} scope)
 * @param phone             the phone number ({@code phone} scope)
 * @param sex               the sex as the platform codes it ({@code profile} scope)
 * @param birthday          the birthday as the platform writes times, e.g. {@code 1989-10-01T00:00:00+0800} ({@code profile} scope)
 * @param avatar            the address of the user's picture ({@code profile} scope)
 * @param userAddress       the postal address ({@code address} scope)
 * @param personnelInfoCode the personnel information code ({@code personnel} scope)
 */
public record User(@JsonProperty("userId") String userId, @JsonProperty("username") String username,
                   @JsonProperty("nickname") String nickname, @JsonProperty("email") String email,
                   @JsonProperty("phone") String phone, @JsonProperty("sex") Integer sex,
                   @JsonProperty("birthday") String birthday, @JsonProperty("avatar") String avatar,
                   @JsonProperty("userAddress") String userAddress,
                   @JsonProperty("personnelInfoCode") String personnelInfoCode) {}
