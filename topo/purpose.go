package topo

// CheckPurpose checks a purpose given on the command line (what names the
// flag).
func CheckPurpose(what string, p Purpose) error {
	if !purposePattern().MatchString(p) {
		return Errorf(ErrInvalid, "%s %s: not a purpose: use lower case letters, digits, '_' and '-', starting with a letter, at most 32 characters", what, Quote(p))
	}
	return nil
}
