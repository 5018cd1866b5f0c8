package store

// EnvNow names the environment variable that sets the clock a process
// records in rows and events and measures ages against (grace periods,
// retention): an RFC 3339 time. It is honoured only by a binary built with
// the build tag netipam_testclock (the whole-binary tests build theirs so);
// the shipped binary (`make build`, `go build .`) ignores it and always
// uses the system's clock, so that no caller can date a ledger event or
// age an allocation at will.
const EnvNow = "NETIPAM_NOW"
