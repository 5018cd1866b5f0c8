package server

import (
	"net/http"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/topo"
)

// maxKubeBody bounds POST /v1/nodes/kubernetes: the CLI's default bound on
// the file it reads the nodes from.
const maxKubeBody = 64 << 20

// operator gives the API's local.Operator, or writes why there is none.
func (a *API) operator(w http.ResponseWriter, r *http.Request) (local.Operator, bool) {
	op, ok := a.Svc.(local.Operator)
	if !ok {
		writeError(w, topo.Errorf(topo.ErrInvalid, "%s: this server does not change the topology's data", r.URL.Path))
	}
	return op, ok
}

// expansionJSON is the answer to POST /v1/expand: the plans of the
// families grown, with what each did, and the errors of the expansions
// that failed (a family whose pod is full) beside them, as `subnet
// expand` prints both. A request that grew nothing is answered with its
// error instead.
type expansionJSON struct {
	Results []local.ExpandResult `json:"results"`
	Errors  []api.Error          `json:"errors"`
}

// expand answers POST /v1/expand (expansionJSON).
func (a *API) expand(w http.ResponseWriter, r *http.Request) {
	var req local.ExpandTORRequest
	if err := decode(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	op, ok := a.operator(w, r)
	if !ok {
		return
	}
	res, err := op.ExpandTOR(r.Context(), req)
	if err != nil && len(res) == 0 {
		writeError(w, err)
		return
	}
	out := expansionJSON{Results: res, Errors: []api.Error{}}
	if err != nil {
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			body, _ := api.ErrorOf(e)
			out.Errors = append(out.Errors, body)
		}
	}
	writeJSON(w, out)
}

func (a *API) reclaim(w http.ResponseWriter, r *http.Request) {
	var req local.ReclaimRequest
	if err := decode(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	op, ok := a.operator(w, r)
	if !ok {
		return
	}
	answer(w, func() (any, error) { return op.Reclaim(r.Context(), req) })
}

func (a *API) kubeImport(w http.ResponseWriter, r *http.Request) {
	var req local.KubeImportRequest
	if err := decodeUpTo(w, r, &req, maxKubeBody); err != nil {
		writeError(w, err)
		return
	}
	op, ok := a.operator(w, r)
	if !ok {
		return
	}
	answer(w, func() (any, error) { return op.KubeImport(r.Context(), req) })
}
