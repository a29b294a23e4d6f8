// Package domain holds pcctl's business rules, written down in docs/domain.md: the
// customer record and its validation, how customer search matches and orders, the
// default view, the 30-flag cap, roles and permissions, temporary passwords.
//
// It does no I/O: no files, no database, no clock and no randomness of its own (callers
// pass the time and a random source), so the local workspace and the server apply the very
// same rules and tests pin them without any set-up.
package domain
