-- petstore-get: GET /pets/1, one item (corpus petstore.yaml, operation showPetById).
wrk.method = "GET"
wrk.path   = "/pets/1"
wrk.headers["Accept"] = "application/json"
