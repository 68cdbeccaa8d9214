using Comp.Client;
using Comp.Import.Mapping;
using Comp.Import.Reading;
using Comp.Import.Sending;
using CsvHelper;

namespace Comp.Import.Tests.Importing;

public sealed class ImporterTests : IDisposable
{
    private static readonly DateOnly Today = new(2026, 1, 1);
    private readonly TempFolder temp = new();

    private const string Mapping = """
        {
          "description": "test source",
          "columns": { "employer": "company", "role": "title", "baseSalary": "pay", "region": "state", "effectiveDate": "date" },
          "regionPrefix": "us-",
          "constants": { "currency": "USD", "source": "self_reported" },
          "rules": { "role": [ { "pattern": "engineer", "value": "software-engineer" } ] }
        }
        """;

    // Lines 2-6: Beta will be refused by the (fake) API; Gamma has no role rule; Eps names no US state.
    private const string Source = """
        company,title,pay,state,date
        Acme,Engineer,"$100,000",CA,2024-01-02
        Beta,Engineer,120k,NY,2024-01-02
        Gamma,Chef,50000,TX,2024-01-02
        Delta,Engineer,60-90K,WA,2024-01-02
        Eps,Engineer,$50/hour,ZZ,2024-01-02
        """;

    /// <summary>Stores every row but Beta's, which it refuses the way the API does.</summary>
    private sealed class FakeSink : IDatapointSink
    {
        public List<IReadOnlyList<DatapointRequest>> Batches { get; } = [];

        public Task<BatchResult> SendAsync(IReadOnlyList<DatapointRequest> batch, CancellationToken cancellationToken)
        {
            Batches.Add(batch);
            var rejected = batch.Select((d, i) => (d, Line: i + 1)).Where(x => x.d.Employer == "beta")
                .Select(x => new RejectedRow(x.Line, new Dictionary<string, string[]> { ["region"] = ["Unknown region 'us-ny'."] })).ToList();
            return Task.FromResult(new BatchResult(Guid.NewGuid(), batch.Count - rejected.Count, rejected));
        }
    }

    private async Task<ImportSummary> RunAsync(IDatapointSink? sink, int batchSize, string source = Source, string mapping = Mapping)
    {
        var mappingFile = MappingFile.Load(temp.Write("mapping.json", mapping));
        using var reader = SourceReader.Open(temp.Write("source.csv", source), mappingFile);
        using var rejects = new RejectFile(temp.File("rejects.csv"));
        return await new Importer(new RowMapper(mappingFile, Today), sink, batchSize).RunAsync(reader, rejects);
    }

    private List<string[]> Rejects()
    {
        using var csv = CsvReader.FromFile(temp.File("rejects.csv"), new CsvReaderOptions { HasHeader = true });
        var rows = new List<string[]>();
        while (csv.Read())
            rows.Add(csv.Current.ToArray());
        return rows;
    }

    [Fact]
    public async Task Mapped_rows_go_in_batches_and_the_APIs_rejects_are_traced_to_their_source_lines()
    {
        var sink = new FakeSink();
        var summary = await RunAsync(sink, batchSize: 2);

        Assert.Equal([["acme", "beta"], ["delta"]], sink.Batches.Select(b => b.Select(d => d.Employer!).ToArray()).ToArray());
        Assert.Equal((5, 3, 2, 3, 2, 1), (summary.Read, summary.Mapped, summary.RejectedByImporter, summary.Sent, summary.Accepted, summary.RejectedByApi));
        Assert.Equal(
        [
            ["3", "api", "region: Unknown region 'us-ny'.", "Beta,Engineer,120k,NY,2024-01-02"],
            ["4", "import", "role: no role rule matches the title: \"Chef\"", "Gamma,Chef,50000,TX,2024-01-02"],
            ["6", "import", "region: not a region code the API is seeded with: \"us-zz\"", "Eps,Engineer,$50/hour,ZZ,2024-01-02"],
        ], Rejects());

        var delta = sink.Batches[1][0];
        Assert.Equal(75000m, delta.BaseSalary);
        Assert.Equal("pay: midpoint of 60000–90000", delta.SourceNote);
        Assert.Equal(1, summary.Ranges);
    }

    [Fact]
    public async Task A_dry_run_sends_nothing_and_still_writes_the_importers_rejects()
    {
        var summary = await RunAsync(sink: null, batchSize: 2);

        Assert.Equal((5, 3, 2, 0, 0), (summary.Read, summary.Mapped, summary.RejectedByImporter, summary.Sent, summary.Accepted));
        Assert.Equal(["4", "6"], Rejects().Select(r => r[0]));
    }

    [Fact]
    public async Task An_unreachable_API_stops_the_import_and_says_where()
    {
        var summary = await RunAsync(new ThrowingSink(), batchSize: 2);

        Assert.Equal("stopped at the batch starting on line 2: Connection refused", summary.Failure);
        Assert.Equal((2, 0), (summary.Read, summary.Sent));   // the batch of lines 2-3 was the first sent
    }

    private sealed class ThrowingSink : IDatapointSink
    {
        public Task<BatchResult> SendAsync(IReadOnlyList<DatapointRequest> batch, CancellationToken cancellationToken) =>
            throw new HttpRequestException("Connection refused");
    }

    [Fact]
    public async Task An_NDJSON_source_is_read_line_by_line_and_a_malformed_line_is_rejected()
    {
        var mappingFile = MappingFile.Load(temp.Write("mapping.json", Mapping.Replace("\"description\"", "\"format\": \"ndjson\", \"description\"")));
        var source = temp.Write("source.ndjson", """
            {"company": "Acme", "title": "Engineer", "pay": 100000, "state": "CA", "date": "2024-01-02"}

            {"company": "Beta", "title": "Engineer", "pay": "120k",
            """ + "\n");
        ImportSummary summary;
        using (var reader = SourceReader.Open(source, mappingFile))
        using (var rejects = new RejectFile(temp.File("rejects.csv")))
            summary = await new Importer(new RowMapper(mappingFile, Today), sink: null).RunAsync(reader, rejects);

        Assert.Equal((2, 1, 1), (summary.Read, summary.Mapped, summary.RejectedByImporter));
        var reject = Assert.Single(Rejects());
        Assert.Equal(["3", "import"], reject[..2]);
        Assert.StartsWith("row: not JSON", reject[2]);
    }

    [Fact]
    public async Task The_limit_stops_reading()
    {
        var mappingFile = MappingFile.Load(temp.Write("mapping.json", Mapping));
        using var reader = SourceReader.Open(temp.Write("source.csv", Source), mappingFile);
        using var rejects = new RejectFile(temp.File("rejects.csv"));
        var summary = await new Importer(new RowMapper(mappingFile, Today), sink: null, limit: 2).RunAsync(reader, rejects);

        Assert.Equal((2, 2), (summary.Read, summary.Mapped));
    }

    public void Dispose() => temp.Dispose();
}
