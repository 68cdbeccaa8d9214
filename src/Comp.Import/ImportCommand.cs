using Comp.Client;
using Comp.Import.Mapping;
using Comp.Import.Reading;
using Comp.Import.Sending;
using Spectre.Console;

namespace Comp.Import;

/// <summary><c>comp-import</c>: options, mapping and source checked first, then the import under a progress bar, then the summary.</summary>
internal static class ImportCommand
{
    public const int Ran = 0;
    public const int UsageError = 1;
    public const int ApiError = 2;

    /// <param name="environment">Reads environment variables (COMP_API_KEY); the process environment unless a test gives its own.</param>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default,
        Func<string, string?>? environment = null)
    {
        var options = ImportOptions.Parse(args, environment ?? Environment.GetEnvironmentVariable, out var error);
        if (options is null)
        {
            if (error!.Length > 0)
                console.MarkupLine($"[red]{Markup.Escape(error)}[/]");
            console.WriteLine(ImportOptions.Usage);
            return error.Length > 0 ? UsageError : Ran;
        }

        RowMapper mapper;
        SourceReader reader;
        try
        {
            var mapping = MappingFile.Load(ResolveMapping(options.Mapping));
            mapper = new RowMapper(mapping, DateOnly.FromDateTime(DateTime.UtcNow));
            if (!File.Exists(options.File))
                throw new MappingException($"No such file: {options.File}");
            reader = SourceReader.Open(options.File, mapping);
            var missing = reader.Columns is { } columns ? mapper.SourceColumns.Except(columns).ToList() : [];
            if (missing.Count > 0)
            {
                reader.Dispose();
                throw new MappingException($"{options.File} has no column {string.Join(", ", missing.Select(c => $"'{c}'"))}; its columns are: " +
                    string.Join(", ", reader.Columns!.Select(c => $"'{c}'")));
            }
        }
        catch (MappingException e)
        {
            console.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return UsageError;
        }

        using (reader)
        {
            using var http = new HttpClient { BaseAddress = options.Api };
            IDatapointSink? sink = null;
            if (!options.DryRun)
            {
                var client = new CompClient(http, new CompClientOptions { ApiKey = options.Key });
                if (!await client.IsLiveAsync(cancellationToken))
                {
                    console.MarkupLine($"[red]The API at {Markup.Escape(options.Api.ToString())} does not answer /health/live.[/]");
                    return ApiError;
                }
                sink = new ApiSink(client);
            }

            ImportSummary summary;
            using (var rejects = new RejectFile(options.RejectFile))
            {
                var importer = new Importer(mapper, sink, options.BatchSize, options.Limit);
                summary = await console.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask(options.DryRun ? "Mapping (dry run)" : "Importing", maxValue: 1);
                        var result = await importer.RunAsync(reader, rejects, p =>
                        {
                            task.Value = p.Fraction;
                            task.Description = $"read {p.Read:N0} · sent {p.Sent:N0} · rejected {p.Rejected:N0}";
                        }, cancellationToken);
                        task.Value = 1;
                        return result;
                    });
            }

            SummaryView.Render(console, summary);
            return summary.Failure is null ? Ran : ApiError;
        }
    }

    /// <summary>A path as given, or a shipped mapping by name: <c>askamanager-2019</c> is <c>mappings/askamanager-2019.json</c> beside the tool.</summary>
    internal static string ResolveMapping(string mapping)
    {
        if (File.Exists(mapping))
            return mapping;
        var shipped = Path.Combine(AppContext.BaseDirectory, "mappings", mapping.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? mapping : mapping + ".json");
        if (File.Exists(shipped))
            return shipped;
        var folder = Path.GetDirectoryName(shipped)!;
        var names = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order().ToList() : [];
        throw new MappingException($"No mapping file {mapping}; the shipped mappings are: {string.Join(", ", names)}");
    }
}
