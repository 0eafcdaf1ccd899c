-- stripe: GET /v1/customers/cus_123 (corpus stripe-spec3.json, operation GetCustomersCustomer) with a bearer key: a large response.
wrk.method = "GET"
wrk.path   = "/v1/customers/cus_123"
wrk.headers["Authorization"] = "Bearer sk_test_x"
wrk.headers["Accept"] = "application/json"
