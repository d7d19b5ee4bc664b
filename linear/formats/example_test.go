package formats_test

import (
	"fmt"
	"strings"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

func ExampleParseJepsenEtcd() {
	log := "INFO  jepsen.util - 1\t:invoke\t:write\t3\n" +
		"INFO  jepsen.util - 2\t:invoke\t:read\tnil\n" +
		"INFO  jepsen.util - 1\t:ok\t:write\t3\n" +
		"INFO  jepsen.util - 2\t:ok\t:read\t3\n"
	ops, err := formats.ParseJepsenEtcd(strings.NewReader(log), "example.log")
	if err != nil {
		panic(err)
	}
	fmt.Println(len(ops), linear.Check(formats.EtcdModel(), ops).Verdict)
	// Output: 2 linearizable
}

func ExampleParsePorcupineKV() {
	log := `{:process 0, :type :invoke, :f :put, :key "k", :value "v"}
{:process 0, :type :ok, :f :get, :key "k", :value "v"}
`
	_, err := formats.ParsePorcupineKV(strings.NewReader(log), "example.txt")
	fmt.Println(err)
	ops, _ := formats.ParsePorcupineKV(strings.NewReader(`{:process 0, :type :invoke, :f :put, :key "k", :value "v"}`+"\n"), "pending.txt")
	fmt.Println(len(ops), ops[0].IsPending(), linear.Check(models.KV(), ops).Verdict)
	// Output:
	// example.txt:2: malformed history: process 0 completes get("k") but invoked put("k")
	// 1 true linearizable
}

func ExampleEtcdModel() {
	m := formats.EtcdModel()
	fmt.Println(m.Init() == formats.EtcdUnset)
	// Output: true
}
