// Package api is the protocol between a lookup point's kiosk and the
// office hub: the paths, the JSON bodies and the rules both sides keep.
// The hub (package hub) serves it; the point side (package hub/point)
// speaks it. Nothing here does I/O.
//
// Transport: HTTPS only. The hub's certificate is issued by the hub's own
// CA (kiosk hub init); a point pins that CA by the SHA-256 of its DER
// certificate when it enrols, and trusts nothing else afterwards.
//
// Authentication: every request but Enroll carries
// "Authorization: Bearer <token>"; the token is the point's credential,
// given once by Enroll. The hub stores only its SHA-256 and finds the
// point by it: a point can act only as itself.
//
// Errors: a status other than 200 comes with an Error body whose message
// is Chinese first, English after. 400 malformed (nothing stored), 401
// unknown or revoked credential or enrolment code, 403 another point's
// visits, 413 body over MaxBodyBytes, 429 too many requests (Retry-After
// seconds), 409 an enrolment code for another point than EnrollRequest.Point,
// 503 the hub is shutting down (retry).
package api

import (
	"strconv"

	"kiosk/visits"
)

// Paths the hub serves.
const (
	PathEnroll    = "/api/v1/enroll"    // POST EnrollRequest → EnrollResponse
	PathVisits    = "/api/v1/visits"    // POST Batch → BatchAck
	PathHeartbeat = "/api/v1/heartbeat" // POST Heartbeat → HeartbeatAck
	PathHealth    = "/healthz"          // GET → 200 "ok" when the database answers
	PathMetrics   = "/metrics"          // GET → Prometheus text format
)

// Paths of content releases (publishing; docs/hub.md).
const (
	// PathRelease: GET → ReleaseOffer, the release meant for the
	// authenticated point. The answer has an ETag; a request whose
	// If-None-Match names it gets 304 and no body.
	PathRelease = "/api/v1/release"
	// PathReleases + "{n}/archive": GET → the archive of release n
	// (application/gzip), with HTTP Range (206) so that a cut download
	// resumes; the ETag is the archive's quoted SHA-256, for If-Range.
	// Only a point the release is meant for may fetch it (else 404).
	PathReleases = "/api/v1/releases/"
)

// Limits both sides keep.
const (
	// MaxBatchVisits is the most visits one Batch may carry.
	MaxBatchVisits = 1000
	// MaxBodyBytes is the largest request body the hub reads.
	MaxBodyBytes = 1 << 20
	// MaxFutureSeconds: a visit that starts or ends more than this ahead
	// of the hub's clock is refused (Refusal), the rest of its batch is
	// stored.
	MaxFutureSeconds = 24 * 3600
	// MaxClockSkewSeconds: a point whose clock differs from the hub's by
	// more than this is flagged in the status.
	MaxClockSkewSeconds = 300
	// HeartbeatSeconds is how often a running kiosk sends a Heartbeat.
	HeartbeatSeconds = 60
	// EnrolCodeDays is how long an enrolment code stays valid.
	EnrolCodeDays = 7
)

// EnrollRequest exchanges a one-time enrolment code (kiosk hub points
// token) for the point's credential. The code is used up by a successful
// exchange.
type EnrollRequest struct {
	Code         string `json:"code"`
	KioskVersion string `json:"kiosk_version"`
	// Point is the point id the kiosk's kiosk.toml already names, empty
	// while it has the default one. A hub given a Point other than the
	// code's point answers 409 and leaves the code unused, so a code
	// taken to the wrong kiosk is not wasted.
	Point string `json:"point,omitempty"`
}

// EnrollResponse names the point the code was made for and gives its
// credential. The hub keeps only the token's SHA-256.
type EnrollResponse struct {
	Point string `json:"point"` // point id, as in the points file
	Name  string `json:"name"`
	Level string `json:"level"` // config.LevelCounty or config.LevelTownship
	Token string `json:"token"`
}

// Batch is closed visits of the authenticated point. Every visit's Point
// must be the authenticated point (else 403, nothing stored). Visits are
// keyed by (point, id): a visit the hub already holds counts once however
// often it is sent.
type Batch struct {
	BatchID string             `json:"batch_id"` // random, for the logs
	SentAt  string             `json:"sent_at"`  // point's clock, RFC 3339
	Visits  []visits.VisitJSON `json:"visits"`   // 1..MaxBatchVisits
}

// BatchAck says the batch was stored in one transaction: every visit of
// the batch not listed in Refused is now held by the hub (Stored new ones,
// Duplicates already held), and the point may mark them sent.
type BatchAck struct {
	Stored     int       `json:"stored"`
	Duplicates int       `json:"duplicates"`
	Refused    []Refusal `json:"refused,omitempty"`
}

// Refusal is a visit the hub did not store, with the reason (e.g. dated
// more than MaxFutureSeconds ahead of the hub's clock). The point keeps it
// unsent and may offer it again later.
type Refusal struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Heartbeat is what a point says of itself every HeartbeatSeconds.
type Heartbeat struct {
	Time           string `json:"time"` // point's clock, RFC 3339 with fraction
	KioskVersion   string `json:"kiosk_version"`
	ContentVersion string `json:"content_version"`
	VisitsToday    int    `json:"visits_today"` // the point's own count
	VisitsYear     int    `json:"visits_year"`
	Unsent         int    `json:"unsent"` // closed visits the hub has not acknowledged
	LastError      string `json:"last_error,omitempty"`
	// Release is the highest signed release the point installed
	// (DATA/release/state.json), 0 for none.
	Release uint64 `json:"release,omitempty"`
	// ReleaseAttempt is the last release the point tried to install from
	// the hub, ReleaseResult how that ended (ReleaseInstalled,
	// ReleaseRefused, ReleaseFailed) and ReleaseError why, Chinese first.
	ReleaseAttempt uint64 `json:"release_attempt,omitempty"`
	ReleaseResult  string `json:"release_result,omitempty"`
	ReleaseError   string `json:"release_error,omitempty"`
}

// Results of a point's last install attempt (Heartbeat.ReleaseResult).
const (
	// ReleaseInstalled: verified and loaded; the kiosk switches to it
	// between visits.
	ReleaseInstalled = "installed"
	// ReleaseRefused: the point will not install it — a bad signature or
	// another key, expired, not higher than the installed release, staged
	// for other points, over the size cap, tampered. Its content is
	// untouched and it does not fetch this offer again.
	ReleaseRefused = "refused"
	// ReleaseFailed: not installed yet for a passing reason (the download
	// was cut, the hub did not answer, the pack did not load); the point
	// tries again.
	ReleaseFailed = "failed"
)

// ReleaseOffer is the release meant for a point: the highest release
// published to all points or staged for it. Release 0 (and nothing else):
// none yet. The point trusts nothing here but what the signed Envelope
// says: it checks the signature, expiry, number and size cap before it
// downloads ArchivePath, and the archive's size and SHA-256 before it
// unpacks a byte.
type ReleaseOffer struct {
	Release     uint64 `json:"release"`
	Envelope    []byte `json:"envelope,omitempty"`     // release.Envelope JSON (base64 here)
	ArchivePath string `json:"archive_path,omitempty"` // PathReleases + "{n}/archive"
}

// ArchivePath is where the archive of release n is fetched.
func ArchivePath(n uint64) string {
	return PathReleases + strconv.FormatUint(n, 10) + "/archive"
}

// HeartbeatAck gives the hub's clock and what it made of the point's.
type HeartbeatAck struct {
	HubTime          string  `json:"hub_time"` // RFC 3339 with fraction
	ClockSkewSeconds float64 `json:"clock_skew_seconds"`
}

// Error is the body of every answer other than 200.
type Error struct {
	Error string `json:"error"`
}
