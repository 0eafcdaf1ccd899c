-- github: GET /repos/octocat/hello-world (corpus github-api.github.com.json, operation repos/get): a large response.
wrk.method = "GET"
wrk.path   = "/repos/octocat/hello-world"
wrk.headers["Accept"] = "application/json"
