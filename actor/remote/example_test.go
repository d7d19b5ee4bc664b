package remote_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/labludus/ludus/actor"
	"github.com/labludus/ludus/actor/remote"
)

// Deposit is a message that crosses between nodes: registered by name on
// both.
type Deposit struct{ Amount int }

// Two nodes (two Systems; in real use, two processes or machines): the
// first starts an embedded NATS server on 127.0.0.1, the second joins it
// by URL. A reference found with Lookup is used as a local one.
func Example() {
	quiet := slog.New(slog.DiscardHandler) // keep the example's output to its answer
	types := remote.NewTypes()
	remote.Register[Deposit](types, "bank.Deposit")

	bank, _ := actor.NewSystem(actor.WithName("bank"))
	defer bank.Shutdown(context.Background())
	node, err := remote.Join(bank, remote.Config{Types: types, Logger: quiet})
	if err != nil {
		panic(err)
	}
	defer node.Close(context.Background())
	actor.Spawn(bank, "alice", func(c *actor.Context[Deposit]) actor.Behavior[Deposit] {
		balance := 0
		return func(c *actor.Context[Deposit], d Deposit) error {
			balance += d.Amount
			actor.Reply(c, balance)
			return nil
		}
	})

	shop, _ := actor.NewSystem(actor.WithName("shop"))
	defer shop.Shutdown(context.Background())
	other, err := remote.Join(shop, remote.Config{URLs: []string{node.URL()}, Types: types, Logger: quiet})
	if err != nil {
		panic(err)
	}
	defer other.Close(context.Background())

	ctx := context.Background()
	alice, err := remote.Lookup[Deposit](ctx, shop, "bank/user/alice") // waits for the node
	if err != nil {
		panic(err)
	}
	balance, err := actor.Ask[int](ctx, alice, Deposit{Amount: 10})
	fmt.Println(balance, err, alice.Address().System, alice.Address().Path)
	// Output: 10 <nil> bank /user/alice
}
