// Package release signs content releases at the office and verifies them
// at a lookup point before anything is unpacked.
//
// A release is one archive of a pack — a deterministic .tar.gz built by
// BuildArchive after the checks of `kiosk content check` — and a Manifest
// (release number, SHA-256 and size of the archive, created, expires, the
// points of a staged roll-out) whose exact JSON bytes are signed with the
// office's Ed25519 key. An Envelope carries those bytes, the signature and
// the key id. Policy.Verify checks, in this order and before one byte is
// unpacked: the signature by a trusted key, expiry, a release number
// strictly higher than the installed one, the point list, the size cap,
// the archive's size and its SHA-256. Point.Install then loads the
// verified bytes through content.Store.Load (atomic) and records the
// release number in DATA/release/state.json (atomic), so a replay is
// refused after a restart too. A bundle (.kpack) carries one release on a
// USB stick.
//
// The Update Framework's threat list (https://theupdateframework.io/security/)
// is the reference. Handled:
//
//   - Arbitrary software installation: only an archive whose SHA-256 and
//     size a trusted key signed is installed (ErrHashMismatch,
//     ErrSizeMismatch, ErrBadSignature, ErrUnknownKey).
//   - Rollback attacks: a release number not higher than the highest ever
//     installed, kept across restarts, is refused (ErrReplay). Staff may
//     still roll back locally to a version installed before (`kiosk
//     content rollback`): it was verified when installed.
//   - Indefinite freeze attacks: a manifest past its expiry is refused
//     (ErrExpired). This protects installs only: a point that receives
//     nothing keeps showing what it has, and only the office's status page
//     (heartbeats) sees that it is stale.
//   - Endless data attacks: an archive over the point's cap is refused
//     from its signed size before it is fetched (ErrTooLarge), and no more
//     than the signed size plus one byte is ever read (ErrSizeMismatch).
//   - Mix-and-match attacks: one manifest names one archive; there is no
//     other metadata to mix.
//   - Malicious mirrors / man in the middle: the transport is not trusted;
//     a USB stick, a proxy or the network can only withhold or delay.
//   - Wrong software installation: a manifest for other points (staged
//     roll-out) is refused (ErrNotForPoint); the manifest's type is signed,
//     so a signature over anything else is not a release.
//
// Not handled:
//
//   - Fast-forward attacks and key compromise: one office key signs
//     everything. There is no root of trust above it, no key rotation, no
//     threshold of signatures, no separate timestamp or snapshot role. A
//     leaked key lets its holder sign anything, including a release number
//     so high that later genuine releases look like replays (recovery:
//     docs/release.md — a new key in every kiosk.toml and a fresh
//     DATA/release/state.json).
//   - Slow retrieval: the point's downloader (hub/point) must bound time.
//   - Freeze by a clock: expiry uses the point's clock; a point whose
//     clock runs far behind accepts an expired release.
//   - The point's own disk: whoever can write the data folder can change
//     the installed content or the state file.
package release
