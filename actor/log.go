package actor

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// The System reports, by default, what would otherwise pass unseen: a
// failure that its supervisor quietly restarted, a message that reached no
// behaviour. Users replace the failure line with WithOnFailure, the
// dead-letter lines by subscribing with OnDeadLetter, and the destination
// of both with WithLogger.

func (s *System) log() *slog.Logger {
	if s.logger != nil {
		return s.logger
	}
	return slog.Default()
}

// reportFailure tells the user of a failure and the directive taken: their
// WithOnFailure function if they gave one, else a log line. A handled
// failure (Restart, Resume) is a warning, one that ends the actor an error.
func (s *System) reportFailure(f *Failure, d Directive) {
	if s.onFailure != nil {
		_ = protect(func() { s.onFailure(f, d) }) // a faulty observer must not break supervision
		return
	}
	level := slog.LevelWarn
	if d == Stop || d == Escalate {
		level = slog.LevelError
	}
	s.log().Log(context.Background(), level, "actor failed",
		slog.String("actor", f.Actor.String()),
		slog.String("error", f.Err.Error()),
		slog.String("directive", d.String()),
		slog.String("message", messageType(f.Message)))
}

func messageType(m any) string {
	if m == nil {
		return "none (setup)"
	}
	return fmt.Sprintf("%T", m)
}

// deadLetterLog limits the dead-letter lines to a burst of deadLogBurst,
// then one every deadLogEvery; each line says how many were left out since
// the last one. A storm of dead letters (a stopped actor with a full
// mailbox) thus costs a few lines, and System.DeadLetters still counts all.
type deadLetterLog struct {
	mu         sync.Mutex
	tokens     int       // lines that may be written now
	last       time.Time // when tokens were last refilled
	suppressed uint64    // dead letters not logged since the last line
}

const (
	deadLogBurst = 10
	deadLogEvery = time.Second
)

// allow reports whether a line may be written now, and how many dead
// letters were left out before it.
func (l *deadLetterLog) allow(now time.Time) (bool, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens, l.last = deadLogBurst, now
	}
	if n := int(now.Sub(l.last) / deadLogEvery); n > 0 {
		l.tokens = min(deadLogBurst, l.tokens+n)
		l.last = l.last.Add(time.Duration(n) * deadLogEvery)
	}
	if l.tokens == 0 {
		l.suppressed++
		return false, 0
	}
	l.tokens--
	left := l.suppressed
	l.suppressed = 0
	return true, left
}

func (s *System) logDeadLetter(d DeadLetter) {
	ok, left := s.deadLog.allow(time.Now())
	if !ok {
		return
	}
	attrs := []any{
		slog.String("recipient", d.Recipient.String()),
		slog.String("message", messageType(d.Message)),
		slog.String("reason", d.Reason.Error()),
	}
	if !d.Sender.IsZero() {
		attrs = append(attrs, slog.String("sender", d.Sender.String()))
	}
	if left > 0 {
		attrs = append(attrs, slog.Uint64("not_logged_before", left))
	}
	s.log().Info("actor dead letter", attrs...)
}
