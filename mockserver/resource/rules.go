package resource

import "github.com/mockserver/mockserver/mockserver/state"

// Rules descriptions cannot express, from fixtures: a property unique within its collection,
// and records only their owner may write.

// Rule kinds.
const (
	RuleUnique = "unique"
	RuleOwner  = "owner"
)

// Rule is one fixture rule on a resource's records.
type Rule struct {
	Kind     string // RuleUnique or RuleOwner
	Resource string
	Property string
	// IdentityField is, for an owner rule, the field of the caller's identity the record's
	// Property must equal.
	IdentityField string
}

// Refusal is the error of a write a rule refused; Rule is the model's own (compare pointers).
type Refusal struct{ Rule *Rule }

func (e *Refusal) Error() string {
	return "refused by a " + e.Rule.Kind + " rule on " + e.Rule.Resource + "." + e.Rule.Property
}

// owner refuses a write to a record that is not the caller's. A caller fixtures do not know
// (no identity fields) is not refused: the rule cannot tell.
func (e *Engine) owner(r Request, resource string, rec state.Record) error {
	for _, ru := range e.model.Rules {
		if ru.Kind != RuleOwner || ru.Resource != resource || r.Identity == nil {
			continue
		}
		want, ok := r.Identity[ru.IdentityField]
		if !ok {
			continue
		}
		if ScalarString(rec[ru.Property]) != ScalarString(want) {
			return &Refusal{Rule: ru}
		}
	}
	return nil
}

// unique refuses a record whose unique property another record of the resource (in the same
// scope and session) already has.
func (e *Engine) unique(resource string, ref state.Ref, rec state.Record, v state.View) error {
	for _, ru := range e.model.Rules {
		if ru.Kind != RuleUnique || ru.Resource != resource || rec[ru.Property] == nil {
			continue
		}
		val := ScalarString(rec[ru.Property])
		for _, en := range v.List(resource, ref.Scope) {
			if en.ID != ref.ID && ScalarString(en.Record[ru.Property]) == val {
				return &Refusal{Rule: ru}
			}
		}
	}
	return nil
}
