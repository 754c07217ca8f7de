"""The release, shown on /healthz and the account page; CHANGELOG.md says what each one changed.

Its own room on the ground floor (issue 25), so /healthz reads it without importing the app.
"""

VERSION = "1.0.0"
