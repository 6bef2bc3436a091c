"""An Omix interpretation model: caffeine metabolism from the caller's CYP1A2 genotype (rs762551).

The platform calls handler(event, context) with event a JSON string:
  {"access_token": "...", "params": {"biosample_id": "E-..."}, "api_endpoint": "http://127.0.0.1:8080"}
The model runs in a sandbox with no network but the platform's API at api_endpoint. access_token is
minted for this invocation alone: it acts for the caller within the scopes model.json declares
("variants" here: reading variant calls) and stops working when the invocation ends. The model reads
the caller's variants with it and answers {"model_code", "model_msg", "model_data"}. Only the
standard library is available.
"""
import json
import urllib.parse
import urllib.request

RSID = "rs762551"


def fetch_variants(endpoint, token, biosample_id):
    query = urllib.parse.urlencode({"biosample_id": biosample_id, "rsids": RSID})
    request = urllib.request.Request(endpoint + "/variants?" + query, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read().decode("utf-8"))


def handler(event, context):
    e = json.loads(event)
    biosample_id = e.get("params", {}).get("biosample_id")
    if not biosample_id:
        return {"model_code": 41001, "model_msg": "biosample_id is required", "model_data": None}
    envelope = fetch_variants(e.get("api_endpoint", "http://127.0.0.1:8080"), e["access_token"], biosample_id)
    if envelope.get("code") != 0:
        return {"model_code": envelope.get("code"), "model_msg": envelope.get("msg"), "model_data": None}
    calls = [v for v in envelope["data"] if v.get("is_genotyped") and not v.get("is_no_call")]
    if not calls:
        return {"model_code": 0, "model_msg": "success",
                "model_data": {"predict_class": "unknown", "disease_probability": None, "verbose": RSID + " not assayed"}}
    genotype = calls[0]["variant"]["genotype"]
    fast = genotype.count("A")  # the A allele of rs762551 speeds CYP1A2 up
    probability = {0: 0.2, 1: 0.5, 2: 0.8}.get(fast, 0.5)
    return {
        "model_code": 0,
        "model_msg": "success",
        "model_data": {
            "predict_class": "fast metabolizer" if probability >= 0.5 else "slow metabolizer",
            "disease_probability": None,
            "predict_probability": {"fast metabolizer": probability, "slow metabolizer": round(1 - probability, 4)},
            "plot_object": None,
            "verbose": RSID + " genotype " + genotype,
            "threshold": 0.5,
            "background": [],
        },
    }
