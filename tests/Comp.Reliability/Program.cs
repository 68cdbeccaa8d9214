using Comp.Reliability;

// Comp.Reliability <outage|crash|load|budget>: one scenario against the real service on loopback.
// deploy/local/reliability.sh sets the environment (see Settings) and starts PostgreSQL and,
// for outage and load, the API; the crash scenario starts and kills its own API processes.
// Exit code 0 when every check of the scenario passed, 1 when one failed, 2 on bad usage.

var scenario = args.FirstOrDefault();
Func<Settings, CancellationToken, Task<bool>>? run = scenario switch
{
    "outage" => OutageScenario.RunAsync,
    "crash" => CrashScenario.RunAsync,
    "load" => LoadScenario.RunAsync,
    "budget" => BudgetScenario.RunAsync,
    _ => null,
};
if (run is null)
{
    Console.Error.WriteLine("usage: Comp.Reliability outage|crash|load|budget   (environment: see deploy/local/reliability.sh)");
    return 2;
}

Settings settings;
try
{
    settings = Settings.FromEnvironment();
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine($"reliability: {ex.Message}");
    return 2;
}

// Every scenario is bounded: a scenario that overruns its budget fails instead of hanging.
using var budget = new CancellationTokenSource(settings.BudgetFor(scenario!));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; budget.Cancel(); };
Console.WriteLine($"== scenario {scenario} (budget {settings.BudgetFor(scenario!).TotalSeconds:0} s, API {settings.ApiUrl}) ==");
bool passed;
try
{
    passed = await run(settings, budget.Token);
}
catch (Exception ex)
{
    Console.WriteLine(budget.IsCancellationRequested
        ? $"  FAIL the scenario overran its budget of {settings.BudgetFor(scenario!).TotalSeconds:0} s ({ex.GetType().Name})"
        : $"  FAIL the scenario threw {ex}");
    passed = false;
}
Console.WriteLine($"scenario {scenario}: {(passed ? "PASSED" : "FAILED")}");
return passed ? 0 : 1;
