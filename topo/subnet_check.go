package topo

// ValidateSubnet checks one subnet on its own (what `subnet add` is given):
// a valid prefix without host bits, its size, gateway, excludes and
// purpose. field names it in the errors (a flag, say).
func ValidateSubnet(field string, s Subnet) error {
	v := &validator{ids: map[string]string{}}
	v.subnet(field, "subnet", s)
	return v.errs.err()
}

// CheckInsidePod checks that a subnet given as field (a flag) lies inside
// its pod's prefix of the same family, where the pod declares one.
func CheckInsidePod(field string, s Subnet, pod Pod) error {
	v := &validator{}
	v.inside(span{p: s.CIDR, field: field}, "pod "+pod.ID, pod.CIDRs)
	return v.errs.err()
}
