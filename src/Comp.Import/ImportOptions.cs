using System.Globalization;

namespace Comp.Import;

/// <summary>The command line of <c>comp-import</c>.</summary>
internal sealed record ImportOptions
{
    public const string Usage = """
        Usage: comp-import <file> --mapping <mapping.json | shipped name> [options]

          <file>                 CSV or NDJSON source file
          -m, --mapping PATH     mapping file; a bare name (askamanager-2019) means the shipped mappings/<name>.json
          --api URL              Comp API base address (default http://127.0.0.1:8080)
          --key KEY              API key with the ingest scope (default: environment variable COMP_API_KEY)
          --batch-size N         rows per batch request, 1-50000 (default 5000)
          --reject-file PATH     where rows that were not stored go (default <file>.rejects.csv)
          --limit N              read at most N data rows
          --dry-run              read and map everything, write the reject file, send nothing
          -h, --help             this text

        Exit codes: 0 the import ran (rows may have been rejected: see the summary and the reject file);
        1 usage error (arguments, missing file, unusable mapping); 2 the API refused the key or could not be reached.
        """;

    public required string File { get; init; }
    public required string Mapping { get; init; }
    public Uri Api { get; init; } = new("http://127.0.0.1:8080/");
    public string? Key { get; init; }
    public int BatchSize { get; init; } = 5000;
    public required string RejectFile { get; init; }
    public int? Limit { get; init; }
    public bool DryRun { get; init; }

    /// <summary>Reads the arguments; on failure <paramref name="error"/> says what is wrong ("" when help was asked for).</summary>
    public static ImportOptions? Parse(IReadOnlyList<string> args, Func<string, string?> environment, out string? error)
    {
        error = null;
        string? file = null, mapping = null, rejectFile = null, key = environment("COMP_API_KEY");
        var api = "http://127.0.0.1:8080";
        int batchSize = 5000;
        int? limit = null;
        var dryRun = false;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{arg} needs a value");
            int Number(int min, int max) =>
                int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n : throw new FormatException($"{arg} needs a whole number from {min} to {max}");
            try
            {
                switch (arg)
                {
                    case "-h" or "--help": error = ""; return null;
                    case "-m" or "--mapping": mapping = Value(); break;
                    case "--api": api = Value(); break;
                    case "--key": key = Value(); break;
                    case "--batch-size": batchSize = Number(1, 50_000); break;
                    case "--reject-file": rejectFile = Value(); break;
                    case "--limit": limit = Number(0, int.MaxValue); break;
                    case "--dry-run": dryRun = true; break;
                    case var _ when arg.StartsWith('-'): throw new FormatException($"unknown option {arg}");
                    case var _ when file is null: file = arg; break;
                    default: throw new FormatException($"one source file at a time ({file}, then {arg})");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        if (file is null || mapping is null)
            error = file is null ? "no source file given" : "no --mapping given";
        else if (!Uri.TryCreate(api.EndsWith('/') ? api : api + "/", UriKind.Absolute, out var apiUri) || apiUri.Scheme is not ("http" or "https"))
            error = $"--api {api} is not an http(s) address";
        else if (!dryRun && string.IsNullOrWhiteSpace(key))
            error = "no API key: pass --key or set COMP_API_KEY (or use --dry-run)";
        else
            return new ImportOptions
            {
                File = file, Mapping = mapping, Api = apiUri, Key = key, BatchSize = batchSize,
                RejectFile = rejectFile ?? file + ".rejects.csv", Limit = limit, DryRun = dryRun,
            };
        return null;
    }
}
