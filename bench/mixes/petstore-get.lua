-- petstore-get: GET /pets/1, one item (corpus petstore.yaml, operation showPetById): a read of a
-- stored record, created by petstore-get.setup before the warm-up.
wrk.method = "GET"
wrk.path   = "/pets/1"
wrk.headers["Accept"] = "application/json"
