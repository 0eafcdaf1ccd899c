//go:build race

package generate

// raceEnabled: the race detector slows kin-openapi's loader and validator
// about tenfold, so the corpus test samples repeated schemas.
const raceEnabled = true
