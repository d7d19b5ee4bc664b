// Package time is the standard time package on the checker's virtual
// clock: rewritten code imports it instead of "time" (ludus check), and
// hand-written code may too. Outside an exploration every function is the
// standard one. Inside, Now, Since and Until read the virtual clock
// (starting at 2000-01-01 UTC, moving by a microsecond per scheduling step
// and jumping to the next deadline when every goroutine waits), Sleep and
// the timers wait on it, so an hour-long sleep costs nothing. Timer and
// Ticker channels are channels the checker controls, with Go 1.23
// semantics: no stale value is received after Stop or Reset.
//
// Types whose values cross package boundaries (Time, Duration, Month,
// Weekday, Location) are the standard ones.
package time

import (
	stdtime "time"

	"github.com/labludus/ludus/check/internal/engine"
)

// Types that are the standard ones.
type (
	Duration   = stdtime.Duration
	Location   = stdtime.Location
	Month      = stdtime.Month
	ParseError = stdtime.ParseError
	Time       = stdtime.Time
	Weekday    = stdtime.Weekday
)

// Durations.
const (
	Nanosecond  = stdtime.Nanosecond
	Microsecond = stdtime.Microsecond
	Millisecond = stdtime.Millisecond
	Second      = stdtime.Second
	Minute      = stdtime.Minute
	Hour        = stdtime.Hour
)

// Layouts.
const (
	Layout      = stdtime.Layout
	ANSIC       = stdtime.ANSIC
	UnixDate    = stdtime.UnixDate
	RubyDate    = stdtime.RubyDate
	RFC822      = stdtime.RFC822
	RFC822Z     = stdtime.RFC822Z
	RFC850      = stdtime.RFC850
	RFC1123     = stdtime.RFC1123
	RFC1123Z    = stdtime.RFC1123Z
	RFC3339     = stdtime.RFC3339
	RFC3339Nano = stdtime.RFC3339Nano
	Kitchen     = stdtime.Kitchen
	Stamp       = stdtime.Stamp
	StampMilli  = stdtime.StampMilli
	StampMicro  = stdtime.StampMicro
	StampNano   = stdtime.StampNano
	DateTime    = stdtime.DateTime
	DateOnly    = stdtime.DateOnly
	TimeOnly    = stdtime.TimeOnly
)

// Months.
const (
	January   = stdtime.January
	February  = stdtime.February
	March     = stdtime.March
	April     = stdtime.April
	May       = stdtime.May
	June      = stdtime.June
	July      = stdtime.July
	August    = stdtime.August
	September = stdtime.September
	October   = stdtime.October
	November  = stdtime.November
	December  = stdtime.December
)

// Days.
const (
	Sunday    = stdtime.Sunday
	Monday    = stdtime.Monday
	Tuesday   = stdtime.Tuesday
	Wednesday = stdtime.Wednesday
	Thursday  = stdtime.Thursday
	Friday    = stdtime.Friday
	Saturday  = stdtime.Saturday
)

// Locations.
var (
	UTC   = stdtime.UTC
	Local = stdtime.Local
)

// Functions that do not read the clock are the standard ones.
var (
	Date                   = stdtime.Date
	FixedZone              = stdtime.FixedZone
	LoadLocation           = stdtime.LoadLocation
	LoadLocationFromTZData = stdtime.LoadLocationFromTZData
	Parse                  = stdtime.Parse
	ParseDuration          = stdtime.ParseDuration
	ParseInLocation        = stdtime.ParseInLocation
	Unix                   = stdtime.Unix
	UnixMicro              = stdtime.UnixMicro
	UnixMilli              = stdtime.UnixMilli
)

// current returns the managed goroutine calling, or nil.
func current() *engine.G {
	if !engine.Active() {
		return nil
	}
	return engine.Current()
}

// Now returns the current time: the virtual clock in an exploration.
func Now() Time {
	if g := current(); g != nil {
		return engine.Epoch.Add(Duration(g.Engine().Now()))
	}
	return stdtime.Now()
}

// Since returns the time elapsed since t.
func Since(t Time) Duration { return Now().Sub(t) }

// Until returns the duration until t.
func Until(t Time) Duration { return t.Sub(Now()) }

// Sleep pauses the calling goroutine for at least d; d <= 0 yields.
func Sleep(d Duration) {
	if g := current(); g != nil {
		e := g.Engine()
		text := ""
		if e.Recording() {
			text = "time.Sleep(" + d.String() + ")"
		}
		e.Sleep(g, int64(d), text)
		return
	}
	stdtime.Sleep(d)
}
