package scenario

import (
	"container/list"
	"sort"
	"sync"
)

// DefaultMaxProgress bounds the progress counters a Set keeps: one per
// (scenario, session) that has answered. When a new counter would exceed it,
// the counters of whole sessions are dropped, the session advanced least
// recently first (never the session being answered), so that those sessions
// start their scenarios again from the first step.
const DefaultMaxProgress = 10_000

// Hit is the step chosen for a request.
type Hit struct {
	Scenario  string // its name
	Step      Step   // shares Headers and Body with the Set: read-only
	Index     int    // 0-based index of Step in the scenario's steps
	Remaining int    // answers the scenario still gives in this session after this one; -1: unbounded
}

// Set is a concurrency-safe collection of scenarios and of their progress
// per session. The zero Set is not usable; call NewSet.
type Set struct {
	mu       sync.Mutex
	byName   map[string]*entry
	order    []*entry             // sorted by name
	sessions map[string]*progress // by session
	lru      list.List            // of *progress, the most recently advanced first
	counters int                  // progress counters held, over all sessions
	limit    int                  // DefaultMaxProgress, lowered by tests
}

// entry is a scenario as the Set holds it.
type entry struct {
	sc    Scenario
	match *matcher
}

// progress holds one session's answer counts by scenario name.
type progress struct {
	session string
	counts  map[string]int
	elem    *list.Element
}

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{byName: map[string]*entry{}, sessions: map[string]*progress{}, limit: DefaultMaxProgress}
}

// Put validates sc (see Scenario.Validate) and adds a copy of it, replacing
// the scenario of the same name, whose progress is reset in every session.
func (s *Set) Put(sc Scenario) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	m, err := compile(sc.Match)
	if err != nil {
		return err
	}
	e := &entry{sc: sc.clone(), match: m}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byName[sc.Name]; ok {
		s.forget(sc.Name)
		for i, old := range s.order {
			if old.sc.Name == sc.Name {
				s.order[i] = e
			}
		}
	} else {
		i := sort.Search(len(s.order), func(i int) bool { return s.order[i].sc.Name >= sc.Name })
		s.order = append(s.order, nil)
		copy(s.order[i+1:], s.order[i:])
		s.order[i] = e
	}
	s.byName[sc.Name] = e
	return nil
}

// Delete removes the scenario name and its progress; it reports whether
// there was one.
func (s *Set) Delete(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byName[name]; !ok {
		return false
	}
	delete(s.byName, name)
	for i, e := range s.order {
		if e.sc.Name == name {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	s.forget(name)
	return true
}

// Clear removes every scenario and all progress.
func (s *Set) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byName = map[string]*entry{}
	s.order = nil
	s.resetAll()
}

// List returns copies of the scenarios, sorted by name.
func (s *Set) List() []Scenario {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Scenario, len(s.order))
	for i, e := range s.order {
		out[i] = e.sc.clone()
	}
	return out
}

// Get returns a copy of the scenario name.
func (s *Set) Get(name string) (Scenario, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byName[name]
	if !ok {
		return Scenario{}, false
	}
	return e.sc.clone(), true
}

// Answered returns how many requests of session the scenario name has
// answered since it was put or the session's progress was reset.
func (s *Set) Answered(name, session string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.sessions[session]; p != nil {
		return p.counts[name]
	}
	return 0
}

// Next returns the step to answer r with, and advances that scenario's
// progress for r.Session, atomically: concurrent requests each get their own
// step. The scenario named by r.Named is tried first, and applies even if
// inactive; then the active scenarios in name order. A scenario applies
// when its Session is "" or r.Session, its Match matches r and it is not
// exhausted in r.Session; otherwise the next one is tried. Next reports
// false when none applies.
func (s *Set) Next(r Request) (Hit, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.byName[r.Named]; e != nil && r.Named != "" {
		if h, ok := s.try(e, &r); ok {
			return h, true
		}
	}
	for _, e := range s.order {
		if e.sc.Name == r.Named || e.sc.Active != nil && !*e.sc.Active {
			continue
		}
		if h, ok := s.try(e, &r); ok {
			return h, true
		}
	}
	return Hit{}, false
}

// try answers r with e if e applies, advancing its progress.
func (s *Set) try(e *entry, r *Request) (Hit, bool) {
	if e.sc.Session != "" && e.sc.Session != r.Session || !e.match.matches(r) {
		return Hit{}, false
	}
	p := s.sessions[r.Session]
	n := 0
	if p != nil {
		n = p.counts[e.sc.Name]
	}
	i, remaining, ok := e.step(n)
	if !ok {
		return Hit{}, false
	}
	s.advance(r.Session, e.sc.Name, n+1)
	return Hit{Scenario: e.sc.Name, Step: e.sc.Steps[i], Index: i, Remaining: remaining}, true
}

// step returns which step answers the request after n answers, and how many
// answers remain after it (-1: unbounded); ok is false when e is exhausted.
func (e *entry) step(n int) (i, remaining int, ok bool) {
	sc := &e.sc
	switch steps := len(sc.Steps); {
	case sc.Times > 0:
		if n >= sc.Times {
			return 0, 0, false
		}
		return 0, sc.Times - n - 1, true
	case sc.Repeat:
		return n % steps, -1, true
	case steps == 1:
		return 0, -1, true
	case n >= steps:
		return 0, 0, false
	default:
		return n, steps - n - 1, true
	}
}

// advance records count answers of scenario name in session, dropping the
// least recently advanced sessions beyond the limit.
func (s *Set) advance(session, name string, count int) {
	p := s.sessions[session]
	if p == nil {
		p = &progress{session: session, counts: map[string]int{}}
		p.elem = s.lru.PushFront(p)
		s.sessions[session] = p
	} else {
		s.lru.MoveToFront(p.elem)
	}
	if _, ok := p.counts[name]; !ok {
		s.counters++
	}
	p.counts[name] = count
	for s.counters > s.limit {
		old := s.lru.Back().Value.(*progress)
		if old == p {
			break // the current session alone: bounded by the number of scenarios
		}
		s.drop(old)
	}
}

func (s *Set) drop(p *progress) {
	s.lru.Remove(p.elem)
	delete(s.sessions, p.session)
	s.counters -= len(p.counts)
}

// forget drops the progress of scenario name in every session.
func (s *Set) forget(name string) {
	for _, p := range s.sessions {
		if _, ok := p.counts[name]; ok {
			delete(p.counts, name)
			s.counters--
			if len(p.counts) == 0 {
				s.drop(p)
			}
		}
	}
}

// Reset forgets the progress of session: its scenarios start again from
// their first step.
func (s *Set) Reset(session string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.sessions[session]; p != nil {
		s.drop(p)
	}
}

// ResetAll forgets the progress of every session.
func (s *Set) ResetAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetAll()
}

func (s *Set) resetAll() {
	s.sessions = map[string]*progress{}
	s.lru.Init()
	s.counters = 0
}
