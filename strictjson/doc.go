// Package strictjson decodes JSON that netipam is given (API request
// bodies, the CNI config's ipam section) more strictly than encoding/json:
// a key given twice in one object, or a key that names a field only in
// another case ("Node" for "node", which encoding/json accepts), is
// refused rather than resolved silently; unknown keys are refused unless
// the caller allows them. It knows nothing of netipam's types and
// imports only the standard library.
package strictjson
