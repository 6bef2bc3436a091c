package io.omix.sdk;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The user profile of the open platform's get_user, typed: {@code api.getUser().as(User.class)}.
 * Fields the token's scopes do not allow are null.
 */
public record User(@JsonProperty("userId") String userId, @JsonProperty("username") String username,
                   @JsonProperty("nickname") String nickname, @JsonProperty("email") String email,
                   @JsonProperty("phone") String phone, @JsonProperty("sex") Integer sex,
                   @JsonProperty("birthday") String birthday, @JsonProperty("avatar") String avatar,
                   @JsonProperty("userAddress") String userAddress,
                   @JsonProperty("personnelInfoCode") String personnelInfoCode) {}
