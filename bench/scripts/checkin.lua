-- A check-in submit as htmx sends it: bench/checkin.py puts the form's body, csrf_token and
-- all, in place of the placeholder below, then adds scripts/report.lua after this.
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["HX-Request"] = "true"
wrk.headers["HX-Target"] = "this-week"
