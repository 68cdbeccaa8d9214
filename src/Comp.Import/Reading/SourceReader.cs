using System.Text;
using System.Text.Json;
using Comp.Import.Mapping;
using CsvHelper;

namespace Comp.Import.Reading;

/// <summary>Reads a CSV or NDJSON source file record by record, and how far through the file it is.</summary>
internal abstract class SourceReader : IDisposable
{
    protected SourceReader(string path) => Stream = File.OpenRead(path);

    protected FileStream Stream { get; }

    /// <summary>The header's column names; null for NDJSON, whose objects name their own fields.</summary>
    public abstract IReadOnlyList<string>? Columns { get; }

    /// <summary>The share of the file read so far, 0 to 1.</summary>
    public abstract double Fraction { get; }

    public abstract IEnumerable<SourceRow> Rows();

    public virtual void Dispose() => Stream.Dispose();

    /// <summary>Opens <paramref name="path"/> as the mapping's format says and reads past any banner to the header.</summary>
    public static SourceReader Open(string path, MappingFile mapping) => mapping.Format switch
    {
        "ndjson" => new NdjsonReader(path),
        _ => new CsvSourceReader(path, mapping),
    };

    private sealed class CsvSourceReader : SourceReader
    {
        private readonly CsvReader csv;
        private readonly string[] columns;

        public CsvSourceReader(string path, MappingFile mapping) : base(path)
        {
            csv = CsvReader.Create(Stream, new CsvReaderOptions
            {
                Separator = mapping.Delimiter[0],
                // The header is read by hand: it may follow a banner the file opens with.
                HasHeader = false,
                AllowLineBreaksInQuotes = true,
                TrackLineNumbers = true,
                SkipEmptyLines = true,
                // Real files are ragged and carry stray quotes: read what is there and let mapping judge it.
                FieldCountMismatch = CsvFieldCountHandling.Allow,
                MissingField = CsvMissingFieldHandling.ReturnEmpty,
                MalformedData = CsvMalformedDataHandling.Recover,
            }, leaveOpen: true);
            for (var i = 0; i < mapping.SkipRows; i++)
                csv.Read();
            columns = csv.Read() ? csv.Current.ToArray() : throw new MappingException($"{path} has no header row.");
        }

        public override IReadOnlyList<string> Columns => columns;

        public override double Fraction => Stream.Length == 0 ? 1 : (double)csv.ByteOffset / Stream.Length;

        public override IEnumerable<SourceRow> Rows()
        {
            while (csv.Read())
            {
                var fields = csv.Current.ToArray();
                var values = new Dictionary<string, string>(columns.Length, StringComparer.Ordinal);
                for (var i = 0; i < columns.Length; i++)
                    values.TryAdd(columns[i], i < fields.Length ? fields[i] : "");
                yield return new SourceRow(csv.LineNumber, Encoding.UTF8.GetString(csv.RawRecord).TrimEnd('\r', '\n'), values);
            }
        }

        public override void Dispose()
        {
            csv.Dispose();
            base.Dispose();
        }
    }

    private sealed class NdjsonReader(string path) : SourceReader(path)
    {
        private long consumed;

        public override IReadOnlyList<string>? Columns => null;

        public override double Fraction => Stream.Length == 0 ? 1 : (double)consumed / Stream.Length;

        public override IEnumerable<SourceRow> Rows()
        {
            using var reader = new StreamReader(Stream, Encoding.UTF8, leaveOpen: true);
            var line = 0L;
            while (reader.ReadLine() is { } text)
            {
                line++;
                consumed += Encoding.UTF8.GetByteCount(text) + 1;
                if (string.IsNullOrWhiteSpace(text))
                    continue;
                yield return Parse(line, text);
            }
        }

        private static SourceRow Parse(long line, string text)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    return new SourceRow(line, text, new Dictionary<string, string>(), "the line is not a JSON object");
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    values.TryAdd(property.Name, property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Null => "",
                        _ => property.Value.GetRawText(),
                    });
                }
                return new SourceRow(line, text, values);
            }
            catch (JsonException e)
            {
                return new SourceRow(line, text, new Dictionary<string, string>(), $"not JSON: {e.Message}");
            }
        }
    }
}
