using System.Text.Json;
using System.Text.Json.Serialization;

namespace Comp.Import.Mapping;

/// <summary>
/// A mapping file: how the rows of one kind of source file become datapoints. See README.md
/// ("Mapping files") for every key; unknown keys are refused so a typo cannot drop a column.
/// </summary>
internal sealed record MappingFile
{
    /// <summary>What the source is and every judgement the mapping makes, for the next reader (a string or a list of lines).</summary>
    public OneOrMany? Description { get; init; }

    /// <summary><c>csv</c> (the default) or <c>ndjson</c>.</summary>
    public string Format { get; init; } = "csv";

    /// <summary>The CSV field separator, one character.</summary>
    public string Delimiter { get; init; } = ",";

    /// <summary>Records before the header row (a banner line, say).</summary>
    public int SkipRows { get; init; }

    /// <summary>Datapoint field → source column, or a list of columns: the first that gives a readable value wins.</summary>
    public Dictionary<string, OneOrMany> Columns { get; init; } = [];

    /// <summary>Datapoint field → value, used when the field has no column or its column gives nothing usable.</summary>
    public Dictionary<string, string> Constants { get; init; } = [];

    /// <summary>Datapoint field → ordered rules; the first that matches gives the field's value.</summary>
    public Dictionary<string, List<RuleSpec>> Rules { get; init; } = [];

    /// <summary>.NET exact formats of the date column, tried in order; <c>yyyy</c> alone means 1 July of that year.</summary>
    public List<string> DateFormats { get; init; } = ["yyyy-MM-dd"];

    /// <summary><c>code</c>: the region column holds a code (after <see cref="RegionPrefix"/>); <c>location</c>: free text.</summary>
    public string RegionFormat { get; init; } = "code";

    /// <summary>Put before a region code column's value: <c>us-</c> turns a state <c>CA</c> into <c>us-ca</c>.</summary>
    public string RegionPrefix { get; init; } = "";

    /// <summary>
    /// When given (even empty), a row whose location names no region gets the country of its currency:
    /// the entry listed here (USD → us), else the one seeded country using that currency (RUB → ru).
    /// Currencies several countries share and not listed (EUR) give none.
    /// </summary>
    public Dictionary<string, string>? RegionFromCurrency { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads a mapping file; a malformed one throws <see cref="MappingException"/> naming the problem.</summary>
    public static MappingFile Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<MappingFile>(stream, Json) ?? throw new MappingException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new MappingException($"{path} is not a valid mapping: {e.Message}");
        }
    }
}

/// <summary>One rule: <c>pattern</c> tests the field's own column, <c>match</c> tests named columns; all must match.</summary>
internal sealed record RuleSpec
{
    /// <summary>A case-insensitive .NET regular expression over the field's (first) column.</summary>
    public string? Pattern { get; init; }

    /// <summary>Column → case-insensitive regular expression.</summary>
    public Dictionary<string, string> Match { get; init; } = [];

    public required string Value { get; init; }
}

/// <summary>One string or several in order (column names, lines of a description), written in JSON as a string or an array of strings.</summary>
[JsonConverter(typeof(Converter))]
internal sealed record OneOrMany(IReadOnlyList<string> Items)
{
    private sealed class Converter : JsonConverter<OneOrMany>
    {
        public override OneOrMany Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? new OneOrMany([reader.GetString()!])
                : new OneOrMany(JsonSerializer.Deserialize<List<string>>(ref reader, options) ?? []);

        public override void Write(Utf8JsonWriter writer, OneOrMany value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Items, options);
    }
}

/// <summary>A mapping file or its use is wrong: a usage error, reported before any row is read.</summary>
internal sealed class MappingException(string message) : Exception(message);
