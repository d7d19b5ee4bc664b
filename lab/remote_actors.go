package lab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/labludus/ludus/actor"
	"github.com/labludus/ludus/actor/remote"
)

// The bank of concurrency-models, with its accounts split between two
// processes: this one and a copy of this program that it starts (the lab's
// own binary, re-executed with remoteBankEnv set). Transfers carry the
// reference of the account to credit, so a debit here can credit an
// account there; nothing is shared but messages over NATS.

func remoteActorsExperiment() Experiment {
	return Experiment{
		ID:      "remote-actors",
		Section: "Concurrency Models: Actor Model (no shared memory, message passing)",
		Specs: []ClaimSpec{
			{ID: "total-preserved", Text: "Actors need no shared memory, so the same bank runs with its accounts in two processes: concurrent transfers between them, carried as messages over the network, keep the total exact."},
		},
		Run: runRemoteActors,
	}
}

// remoteBankEnv, set to a NATS URL, makes the program run the second
// process's half of the bank instead of what it was started for.
const remoteBankEnv = "LUDUS_LAB_REMOTE_BANK"

func init() {
	if url := os.Getenv(remoteBankEnv); url != "" {
		os.Exit(remoteBankNode(url))
	}
}

// rbMsg is a message to an account: a transfer of Amount to To (debited
// here, credited there by a deposit), a deposit, or a query.
type rbMsg struct {
	Kind   rbKind
	Amount int64
	To     actor.Ref[rbMsg]
}

type rbKind uint8

const (
	rbTransfer rbKind = iota
	rbDeposit
	rbQuery
)

// rbState is an account's answer to a query.
type rbState struct {
	Balance, Sent, Refused, Received int64
}

const (
	rbAccounts = 4 // per process
	rbStart    = 100000
)

func rbTypes() *remote.Types {
	ts := remote.NewTypes()
	_ = remote.Register[rbMsg](ts, "lab.remote-bank.msg")
	_ = remote.Register[rbState](ts, "lab.remote-bank.state")
	return ts
}

func rbAccount(c *actor.Context[rbMsg]) actor.Behavior[rbMsg] {
	var st rbState
	st.Balance = rbStart // owned by this actor, in whichever process it lives
	return func(c *actor.Context[rbMsg], m rbMsg) error {
		switch m.Kind {
		case rbTransfer:
			if m.Amount > st.Balance {
				st.Refused++
				return nil
			}
			st.Balance -= m.Amount
			st.Sent++
			return m.To.Send(rbMsg{Kind: rbDeposit, Amount: m.Amount})
		case rbDeposit:
			st.Balance += m.Amount
			st.Received++
		case rbQuery:
			actor.Reply(c, st)
		}
		return nil
	}
}

func rbSpawn(sys *actor.System) error {
	for i := range rbAccounts {
		if _, err := actor.Spawn(sys, fmt.Sprint("account-", i), rbAccount); err != nil {
			return err
		}
	}
	return nil
}

// remoteBankNode is the second process: its accounts, until stdin ends.
func remoteBankNode(url string) int {
	quiet := slog.New(slog.DiscardHandler)
	sys, err := actor.NewSystem(actor.WithName("bank-b"), actor.WithLogger(quiet))
	if err == nil {
		err = rbSpawn(sys)
	}
	var n *remote.Node
	if err == nil {
		n, err = remote.Join(sys, remote.Config{URLs: []string{url}, Types: rbTypes(), Logger: quiet})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "remote-actors:", err)
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = n.Close(context.Background())
	_, _ = sys.Shutdown(context.Background())
	return 0
}

// rbMeasurements is what one run found.
type rbMeasurements struct {
	accounts, transfers  int   // accounts in all; transfers asked for
	want, total          int64 // the total before and after
	sent, refused, recvd int64 // transfers debited, refused; deposits credited
	settled              bool  // every debit's deposit arrived before the deadline
	perSec               float64
	err                  string // what went wrong, if the run could not finish
}

func runRemoteActors(ctx context.Context, env *Env) (Result, error) {
	m, err := rbRun(ctx, env)
	if err != nil {
		m.err = err.Error()
	}
	return Result{Claims: []Claim{rbVerdict(m)}}, nil
}

func rbRun(ctx context.Context, env *Env) (rbMeasurements, error) {
	m := rbMeasurements{accounts: 2 * rbAccounts, transfers: env.Scale(20000, 2000), want: 2 * rbAccounts * rbStart}
	quiet := slog.New(slog.DiscardHandler)
	sys, err := actor.NewSystem(actor.WithName("bank-a"), actor.WithLogger(quiet))
	if err != nil {
		return m, err
	}
	defer sys.Shutdown(context.Background())
	if err := rbSpawn(sys); err != nil {
		return m, err
	}
	env.Step("starting NATS (embedded) and a second process")
	node, err := remote.Join(sys, remote.Config{Types: rbTypes(), Logger: quiet})
	if err != nil {
		return m, err
	}
	defer node.Close(context.Background())
	stop, err := rbStartPeer(node.URL())
	if err != nil {
		return m, err
	}
	defer stop()
	accounts, err := rbLookup(ctx, sys)
	if err != nil {
		return m, err
	}
	env.Step("%d transfers among %d accounts in two processes", m.transfers, m.accounts)
	start := time.Now()
	if err := rbTransfers(accounts, m.transfers); err != nil {
		return m, err
	}
	err = rbSettle(ctx, accounts, &m)
	m.perSec = float64(m.transfers) / time.Since(start).Seconds()
	return m, err
}

// rbStartPeer starts the second process and waits for it to be ready.
func rbStartPeer(url string) (stop func(), err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), remoteBankEnv+"="+url)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop = func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		if err == nil && !strings.HasPrefix(line, "ready") {
			err = fmt.Errorf("second process said %q", line)
		}
		ready <- err
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case err = <-ready:
	case <-time.After(30 * time.Second):
		err = errors.New("the second process was not ready within 30s")
	}
	if err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

// rbLookup finds every account, here and in the other process.
func rbLookup(ctx context.Context, sys *actor.System) ([]actor.Ref[rbMsg], error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var out []actor.Ref[rbMsg]
	for _, node := range []string{"bank-a", "bank-b"} {
		for i := range rbAccounts {
			r, err := remote.Lookup[rbMsg](ctx, sys, fmt.Sprintf("%s/user/account-%d", node, i))
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// rbTransfers sends n transfers from 4 goroutines, each between two
// random accounts (either may be in either process).
func rbTransfers(accounts []actor.Ref[rbMsg], n int) error {
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 11))
			for range n / 4 {
				from, to := r.IntN(len(accounts)), r.IntN(len(accounts)-1)
				if to >= from {
					to++
				}
				if err := accounts[from].Send(rbMsg{Kind: rbTransfer, Amount: 1 + r.Int64N(100), To: accounts[to]}); err != nil {
					errs[g] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// rbSettle asks every account for its books until every debit's deposit
// has arrived (or 30s pass), and records the totals.
func rbSettle(ctx context.Context, accounts []actor.Ref[rbMsg], m *rbMeasurements) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		m.total, m.sent, m.refused, m.recvd = 0, 0, 0, 0
		for _, a := range accounts {
			st, err := actor.Ask[rbState](ctx, a, rbMsg{Kind: rbQuery})
			if err != nil {
				return err
			}
			m.total += st.Balance
			m.sent += st.Sent
			m.refused += st.Refused
			m.recvd += st.Received
		}
		if m.sent+m.refused == int64(m.transfers) && m.recvd == m.sent {
			m.settled = true
			return nil
		}
		if time.Now().After(deadline) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func rbVerdict(m rbMeasurements) Claim {
	c := remoteActorsExperiment().NewClaim("total-preserved")
	for k, v := range map[string]float64{
		"accounts": float64(m.accounts), "transfers": float64(m.transfers), "total_before": float64(m.want),
		"total_after": float64(m.total), "debited": float64(m.sent), "refused": float64(m.refused),
		"credited": float64(m.recvd), "transfers_per_s": m.perSec,
	} {
		c.Measurements[k] = v
	}
	switch {
	case m.err != "":
		c.Verdict, c.Evidence = Inconclusive, "The two-process bank could not run: "+m.err
	case !m.settled:
		c.Verdict = Fails
		c.Evidence = fmt.Sprintf("After 30s, %d transfers were debited but %d credited, and %d+%d of %d accounted for: messages were lost.",
			m.sent, m.recvd, m.sent, m.refused, m.transfers)
	case m.total != m.want:
		c.Verdict = Fails
		c.Evidence = fmt.Sprintf("The total went from %d to %d.", m.want, m.total)
	default:
		c.Verdict = Holds
		c.Evidence = fmt.Sprintf("%d transfers among %d accounts, half in another process (NATS on loopback): %d debited and credited, %d refused for lack of funds; the total stayed %d (%.0f transfers/s).",
			m.transfers, m.accounts, m.sent, m.refused, m.total, m.perSec)
	}
	return c
}
