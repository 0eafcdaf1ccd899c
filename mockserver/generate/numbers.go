package generate

import (
	"math"
	"math/big"
	"strconv"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/getkin/kin-openapi/openapi3"
)

type numSpec struct {
	lo, hi       float64
	loEx, hiEx   bool
	hasLo, hasHi bool
	mults        []float64
	int32        bool
}

func collectNum(parts []*openapi3.Schema) numSpec {
	var ns numSpec
	for _, p := range parts {
		lo, loEx, hasLo, hi, hiEx, hasHi := bounds(p)
		if hasLo && (!ns.hasLo || lo > ns.lo || (lo == ns.lo && loEx)) {
			ns.lo, ns.loEx, ns.hasLo = lo, loEx, true
		}
		if hasHi && (!ns.hasHi || hi < ns.hi || (hi == ns.hi && hiEx)) {
			ns.hi, ns.hiEx, ns.hasHi = hi, hiEx, true
		}
		if p.MultipleOf != nil && *p.MultipleOf > 0 {
			ns.mults = append(ns.mults, *p.MultipleOf)
		}
		if p.Format == "int32" {
			ns.int32 = true
		}
	}
	return ns
}

// heuristicRange is the range a property name suggests.
func heuristicRange(k kind, integer bool) (lo, hi float64, decimals int) {
	switch k {
	case kID:
		return 1, 99999, 0
	case kLatitude:
		return -90, 90, 6
	case kLongitude:
		return -180, 180, 6
	case kMoney:
		if integer {
			return 100, 100000, 0
		}
		return 1, 1000, 2
	case kCount:
		return 0, 250, 0
	case kAge:
		return 18, 80, 0
	case kYear:
		return 1995, 2025, 0
	case kMonth:
		return 1, 12, 0
	case kDay:
		return 1, 28, 0
	case kPort:
		return 1024, 65535, 0
	case kPercent:
		return 0, 100, 1
	case kRating:
		return 1, 5, 1
	case kDuration:
		return 1, 3600, 0
	case kScore:
		if integer {
			return 0, 100, 0
		}
		return 0, 100, 1
	case kReputation:
		return 0, 5000, 0
	case kBirthYear:
		return 1950, 2005, 0
	case kExternalID:
		return 100000, 99999999, 0
	case kPasscode:
		return 100000, 999999, 0
	case kDateTime:
		return float64(anchorTime - pastWindow), float64(anchorTime), 0
	case kDateTimeFuture:
		return float64(anchorTime), float64(anchorTime + futureWindw), 0
	}
	if integer {
		return 1, 100, 0
	}
	return 1, 1000, 2
}

func (c *gctx) genNumber(in *info, n *node, integer bool) any {
	parts := in.parts
	ns := &in.num
	f := c.reseed(n, saltNumber)
	k := kNone
	if !n.plain {
		k = c.kindOf(n)
		if in.unixTime {
			k = kDateTime
		}
	}
	hlo, hhi, dec := heuristicRange(k, integer)
	// Intersect the heuristic range with the schema's bounds.
	lo, hi := hlo, hhi
	if ns.hasLo && lo < ns.lo {
		lo = ns.lo
	}
	if ns.hasHi && hi > ns.hi {
		hi = ns.hi
	}
	if lo > hi || (lo == hi && (ns.loEx || ns.hiEx)) {
		switch {
		case ns.hasLo && ns.hasHi:
			lo, hi = ns.lo, ns.hi
		case ns.hasLo:
			lo, hi = ns.lo, ns.lo+100
		case ns.hasHi:
			lo, hi = ns.hi-100, ns.hi
		}
	}
	if ns.int32 {
		lo = math.Max(lo, math.MinInt32)
		hi = math.Min(hi, math.MaxInt32)
	}
	ok := func(v any) bool { return c.leafOK(parts, v) }

	if integer {
		ilo := math.Ceil(lo)
		if ns.loEx && ilo <= ns.lo {
			ilo = math.Floor(ns.lo) + 1
		}
		ihi := math.Floor(hi)
		if ns.hiEx && ihi >= ns.hi {
			ihi = math.Ceil(ns.hi) - 1
		}
		if len(ns.mults) > 0 {
			m := ns.mults[0]
			for _, x := range ns.mults[1:] {
				m = lcmFloat(m, x)
			}
			if m == math.Trunc(m) && m >= 1 {
				klo, khi := math.Ceil(ilo/m), math.Floor(ihi/m)
				for _, kk := range candidatesInt(f, klo, khi) {
					v := int64(kk * m)
					if ok(v) {
						return v
					}
				}
			}
		}
		for _, v := range candidatesInt(f, ilo, ihi) {
			if k == kMoney && ihi-ilo > 1000 && v > 1000 {
				v = math.Round(v/100)*100 - 1 // 1999 rather than 1937
				if v < ilo {
					v += 100
				}
			}
			iv := int64(v)
			if ok(iv) {
				return iv
			}
		}
		if ok(int64(0)) {
			return int64(0)
		}
		c.unsure++
		return int64(ilo)
	}

	// Non-integral numbers.
	if len(ns.mults) > 0 {
		m := ns.mults[0]
		klo, khi := math.Ceil(lo/m), math.Floor(hi/m)
		if ns.loEx && klo*m <= ns.lo {
			klo++
		}
		if ns.hiEx && khi*m >= ns.hi {
			khi--
		}
		for _, kk := range candidatesInt(f, klo, khi) {
			v := decimalTimes(int64(kk), m)
			if ok(v) {
				return v
			}
		}
	}
	for try := 0; try < 6; try++ {
		var v float64
		switch try {
		case 0, 1, 2:
			v = round(lo+f.Float64()*(hi-lo), dec)
			if dec == 0 {
				v = round(lo+f.Float64()*(hi-lo), 2)
			}
		case 3:
			v = (lo + hi) / 2
		case 4:
			v = lo
		default:
			v = hi
		}
		if math.IsInf(v, 0) || math.IsNaN(v) {
			continue
		}
		if ok(v) {
			return v
		}
	}
	if ok(0.0) {
		return 0.0
	}
	c.unsure++
	return lo
}

// candidatesInt returns a random integer in [lo, hi] followed by fallbacks.
func candidatesInt(f *gofakeit.Faker, lo, hi float64) []float64 {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return []float64{0, 1}
	}
	span := hi - lo
	var r float64
	if span < 1<<53 {
		r = lo + math.Floor(f.Float64()*(span+1))
		if r > hi {
			r = hi
		}
	} else {
		r = math.Floor(lo + f.Float64()*span)
	}
	return []float64{r, lo, hi, math.Floor((lo + hi) / 2)}
}

// decimalTimes returns k*m computed in decimal so the JSON text is an exact
// multiple (JSON Schema validators compare decimals exactly).
func decimalTimes(k int64, m float64) float64 {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(m, 'g', -1, 64))
	if !ok {
		return float64(k) * m
	}
	r.Mul(r, new(big.Rat).SetInt64(k))
	v, _ := r.Float64()
	return v
}

func lcmFloat(a, b float64) float64 {
	if a == math.Trunc(a) && b == math.Trunc(b) && a > 0 && b > 0 && a < 1e15 && b < 1e15 {
		x, y := int64(a), int64(b)
		g := x
		for h := y; h != 0; {
			g, h = h, g%h
		}
		return float64(x / g * y)
	}
	if math.Mod(a, b) == 0 {
		return a
	}
	if math.Mod(b, a) == 0 {
		return b
	}
	return a * b
}
