-- seeds: PATCH /user-avatar/{id} (specs/ir-engine.yaml, operation patchUserAvatar), bearer token and a JSON body.
wrk.method = "PATCH"
wrk.path   = "/user-avatar/8f1c2a44-2d7e-4b8f-9a51-0c6f2f1e9b3d"
wrk.body   = '{"avatarId":"3c0a1b52-6a8e-4a43-9a4e-2f4b8d1e7c90"}'
wrk.headers["Authorization"] = "Bearer t"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
