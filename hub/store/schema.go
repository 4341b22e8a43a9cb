package store

import (
	"strings"

	"kiosk/internal/migrate"
)

// steps are the hub's schema versions (internal/migrate): one text for
// both databases, in the SQL they share (TEXT, BIGINT, DOUBLE PRECISION;
// SQLite takes BIGINT as its INTEGER). Never edit a released step: append.
//
// Times are Unix milliseconds (UTC); a visit keeps its start's UTC offset
// (tz_s) and its local date (day, yyyy-mm-dd) so that it is counted on the
// day the point counted it and rebuilt as the point exported it.
var steps = []string{
	`CREATE TABLE points (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	level TEXT NOT NULL,
	created_ms BIGINT NOT NULL,
	updated_ms BIGINT NOT NULL,
	enrolled_ms BIGINT,
	last_upload_ms BIGINT
);
CREATE TABLE enrol_codes (
	hash TEXT PRIMARY KEY,
	point TEXT NOT NULL REFERENCES points(id),
	created_ms BIGINT NOT NULL,
	expires_ms BIGINT NOT NULL,
	used_ms BIGINT
);
CREATE INDEX enrol_codes_point ON enrol_codes(point);
CREATE TABLE credentials (
	hash TEXT PRIMARY KEY,
	point TEXT NOT NULL REFERENCES points(id),
	created_ms BIGINT NOT NULL,
	revoked_ms BIGINT
);
CREATE INDEX credentials_point ON credentials(point);
CREATE TABLE visits (
	point TEXT{{C}} NOT NULL,
	id TEXT{{C}} NOT NULL,
	day TEXT NOT NULL,
	start_ms BIGINT NOT NULL,
	tz_s INTEGER NOT NULL,
	end_ms BIGINT NOT NULL,
	received_ms BIGINT NOT NULL,
	PRIMARY KEY (point, id)
);
CREATE INDEX visits_day ON visits(day, point, start_ms, id);
CREATE TABLE point_status (
	point TEXT PRIMARY KEY REFERENCES points(id),
	seen_ms BIGINT NOT NULL,
	point_time_ms BIGINT NOT NULL,
	skew_s DOUBLE PRECISION NOT NULL,
	kiosk_version TEXT NOT NULL,
	content_version TEXT NOT NULL,
	visits_today INTEGER NOT NULL,
	visits_year INTEGER NOT NULL,
	unsent INTEGER NOT NULL,
	last_error TEXT NOT NULL
);`,
	// 2: signed content releases and their roll-out (publishing). A
	// release is for every point (all_points = 1) or for the points in
	// release_targets (staged). point_releases is what each point's
	// heartbeat last said of its releases.
	`CREATE TABLE releases (
	release BIGINT PRIMARY KEY,
	sha256 TEXT NOT NULL,
	size BIGINT NOT NULL,
	created_ms BIGINT NOT NULL,
	expires_ms BIGINT NOT NULL,
	title TEXT NOT NULL,
	pack_version TEXT NOT NULL,
	all_points INTEGER NOT NULL,
	envelope TEXT NOT NULL,
	published_ms BIGINT NOT NULL,
	note TEXT NOT NULL
);
CREATE TABLE release_targets (
	release BIGINT NOT NULL REFERENCES releases(release),
	point TEXT NOT NULL REFERENCES points(id),
	PRIMARY KEY (release, point)
);
CREATE INDEX release_targets_point ON release_targets(point, release);
CREATE TABLE point_releases (
	point TEXT PRIMARY KEY REFERENCES points(id),
	installed BIGINT NOT NULL,
	attempted BIGINT NOT NULL,
	result TEXT NOT NULL,
	error TEXT NOT NULL,
	seen_ms BIGINT NOT NULL
);`,
	// 3: office staff, their sessions and the audit log (status page).
	`SELECT 1;`,
}

// stepsFor is steps in the dialect's words.
func stepsFor(d migrate.Dialect) []string {
	c := ""
	if d == migrate.Postgres {
		c = ` COLLATE "C"`
	}
	out := make([]string, len(steps))
	for i, st := range steps {
		out[i] = strings.ReplaceAll(st, "{{C}}", c)
	}
	return out
}
