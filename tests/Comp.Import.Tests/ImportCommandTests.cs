using Comp.Import.Tests.Importing;
using Spectre.Console;

namespace Comp.Import.Tests;

/// <summary>comp-import end to end: arguments, exit codes, the summary and the reject file's default place.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly TempFolder temp = new();
    private readonly StringWriter output = new();

    private IAnsiConsole Console
    {
        get
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(output),
            });
            console.Profile.Width = 400;   // no wrapping: messages are asserted whole
            return console;
        }
    }

    private string Mapping() => temp.Write("mapping.json", """
        {
          "columns": { "employer": "company", "role": "title", "baseSalary": "pay", "region": "state", "effectiveDate": "date" },
          "regionPrefix": "us-",
          "constants": { "currency": "USD", "source": "self_reported" },
          "rules": { "role": [ { "pattern": "engineer", "value": "software-engineer" } ] }
        }
        """);

    private string Source() => temp.Write("source.csv", """
        company,title,pay,state,date
        Acme,Engineer,"$100,000",CA,2024-01-02
        Gamma,Chef,50000,TX,2024-01-02
        """);

    [Fact]
    public async Task A_dry_run_maps_the_file_writes_the_rejects_beside_it_and_exits_0()
    {
        var exit = await ImportCommand.RunAsync([Source(), "--mapping", Mapping(), "--dry-run"], Console);

        Assert.Equal(ImportCommand.Ran, exit);
        Assert.True(File.Exists(temp.File("source.csv.rejects.csv")));
        Assert.Contains("role: no role rule matches the title", output.ToString());
        Assert.Contains("mapped to datapoints", output.ToString());
    }

    [Fact]
    public async Task A_shipped_mapping_is_found_by_its_name()
    {
        var exit = await ImportCommand.RunAsync(
            [RealData.File("h1b_lca_fy2015_sample_ranges.ssv.csv"), "-m", "h1b-lca-fy2015", "--dry-run", "--reject-file", temp.File("r.csv")], Console);

        Assert.Equal(ImportCommand.Ran, exit);
        Assert.Matches(@"read\s+│\s+101", output.ToString());
    }

    [Theory]
    [InlineData(new[] { "--dry-run" }, "no source file given")]
    [InlineData(new[] { "x.csv", "--dry-run" }, "no --mapping given")]
    [InlineData(new[] { "x.csv", "-m", "m.json", "--batch-size", "0", "--dry-run" }, "--batch-size needs a whole number from 1 to 50000")]
    [InlineData(new[] { "x.csv", "-m", "m.json", "--frobnicate" }, "unknown option --frobnicate")]
    [InlineData(new[] { "x.csv", "-m", "no-such-mapping", "--dry-run" }, "No mapping file no-such-mapping; the shipped mappings are: ai-jobs, askamanager-2019")]
    public async Task A_usage_error_exits_1_and_says_what_is_wrong(string[] args, string message)
    {
        Assert.Equal(ImportCommand.UsageError, await ImportCommand.RunAsync(args, Console));
        Assert.Contains(message, output.ToString());
    }

    [Fact]
    public async Task Sending_without_a_key_is_a_usage_error()
    {
        var exit = await ImportCommand.RunAsync([Source(), "-m", Mapping()], Console, CancellationToken.None, environment: _ => null);

        Assert.Equal(ImportCommand.UsageError, exit);
        Assert.Contains("no API key: pass --key or set COMP_API_KEY", output.ToString());
    }

    [Fact]
    public async Task A_column_the_file_lacks_is_a_usage_error_that_lists_the_files_columns()
    {
        var source = temp.Write("other.csv", "company,job,pay,state,date\nAcme,Engineer,1,CA,2024-01-02\n");

        Assert.Equal(ImportCommand.UsageError, await ImportCommand.RunAsync([source, "-m", Mapping(), "--dry-run"], Console));
        Assert.Contains("has no column 'title'; its columns are: 'company', 'job', 'pay', 'state', 'date'", output.ToString());
    }

    [Fact]
    public async Task An_API_that_does_not_answer_exits_2()
    {
        var exit = await ImportCommand.RunAsync([Source(), "-m", Mapping(), "--api", "http://127.0.0.1:9", "--key", "k"], Console);

        Assert.Equal(ImportCommand.ApiError, exit);
        Assert.Contains("does not answer /health/live", output.ToString());
    }

    public void Dispose()
    {
        output.Dispose();
        temp.Dispose();
    }
}
