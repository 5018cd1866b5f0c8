package alloc

import (
	"net/netip"
	"testing"
	"time"

	"github.com/netipam/netipam/topo"
)

func TestForecast(t *testing.T) {
	sub := func(cidr, purpose, tor, pod string, used int64) SubnetUse {
		return SubnetUse{Subnet: topo.Subnet{CIDR: netip.MustParsePrefix(cidr), Purpose: purpose}, TOR: tor, Pod: pod,
			Zone: "z", Used: used}
	}
	in := ForecastInput{
		Window:    10 * 24 * time.Hour,
		Threshold: 0.8,
		Subnets: []SubnetUse{
			sub("10.0.0.0/24", "default", "t1", "p1", 100), // 254 usable: 80% is 203.2
			sub("10.0.1.0/24", "storage", "t1", "p1", 250), // past 80% already
			sub("10.0.2.0/24", "default", "t2", "p1", 0),
			sub("10.1.0.0/24", "default", "t3", "", 10), // a virtual TOR: no pod
		},
		PodPrefixes: map[string][]netip.Prefix{"p1": {netip.MustParsePrefix("10.0.0.0/22")}},
		Flows: map[RateKey]Flow{
			{"t1", "default", 4}: {Allocated: 120, Released: 20}, // 10 a day
			{"t1", "storage", 4}: {Allocated: 5, Released: 5},    // 0 a day
			{"t2", "default", 4}: {Allocated: 0, Released: 10},   // -1 a day
			{"t3", "default", 4}: {Allocated: 20},                // 2 a day
		},
	}
	rows, err := Forecast(in)
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	str := func(d *time.Duration) string {
		if d == nil {
			return "never"
		}
		return d.Round(time.Minute).String()
	}
	dur := func(days float64) string { return time.Duration(days * float64(day)).Round(time.Minute).String() }
	// The pod: 1024 addresses less 350 held, at 10 - 1 = 9 a day.
	podFull := dur((1024.0 - 350) / 9)
	want := []struct {
		tor, purpose             string
		threshold, full, podFull string
	}{
		{"t1", "storage", "0s", "never", podFull},                              // past 80%: now
		{"t1", "default", dur((0.8*254 - 100) / 10), dur(154.0 / 10), podFull}, // 10.32 days
		{"t3", "default", dur((0.8*254 - 10) / 2), dur(244.0 / 2), "never"},    // no pod
		{"t2", "default", "never", "never", podFull},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	// Sorted by urgency: t2's soonest is its pod's, t3's is 96.6 days.
	order := map[string]int{}
	for i, r := range rows {
		order[r.TOR+"/"+r.Purpose] = i
	}
	if order["t1/storage"] != 0 || order["t1/default"] != 1 || order["t2/default"] != 2 {
		t.Errorf("order %v: the storage past its threshold first, then t1 default", order)
	}
	for _, w := range want {
		r := rows[order[w.tor+"/"+w.purpose]]
		if got := [3]string{str(r.ToThreshold), str(r.ToFull), str(r.PodToFull)}; got != [3]string{w.threshold, w.full, w.podFull} {
			t.Errorf("%s/%s: threshold, full, pod full = %v, want %v", w.tor, w.purpose, got,
				[3]string{w.threshold, w.full, w.podFull})
		}
	}
	if r := rows[order["t1/default"]]; r.PerDay != 10 || r.Allocated != 120 || r.Released != 20 || r.Capacity.Lo != 254 {
		t.Errorf("t1 default: %+v", r)
	}
	for _, bad := range []ForecastInput{{Window: 0, Threshold: 0.8}, {Window: day, Threshold: 1.5}} {
		if _, err := Forecast(bad); err == nil {
			t.Errorf("window %s threshold %g: no error", bad.Window, bad.Threshold)
		}
	}
}
