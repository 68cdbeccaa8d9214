using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Comp.Api.Tests.Reliability;

/// <summary>
/// One request as it goes on the wire: the path and query exactly as written (so percent-encoding
/// errors such as <c>%zz</c> reach the server unrepaired, which <see cref="Uri"/> would not allow),
/// raw body bytes, and headers without client-side validation.
/// </summary>
public sealed record Probe(string Route, string Description, string Method, string Path, string Query, byte[]? Body, string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers, bool Anonymous)
{
    public override string ToString()
    {
        var query = Query.Length > 200 ? Query[..200] + $"…({Query.Length} chars)" : Query;
        var path = Path.Length > 200 ? Path[..200] + $"…({Path.Length} chars)" : Path;
        var body = Body is null ? "" : Body.Length > 300 ? Encoding.UTF8.GetString(Body, 0, 300) + $"…({Body.Length} bytes)" : Encoding.UTF8.GetString(Body);
        var headers = string.Concat(Headers.Select(h => $", {h.Key}: {(h.Value.Length > 40 ? h.Value[..40] + "…" : h.Value)}"));
        return $"[{Description}] {Method} {path}{query} ({ContentType ?? "no content type"}{(Anonymous ? ", anonymous" : "")}{headers}) {body}";
    }
}

/// <summary>What came back for a probe.</summary>
public sealed record Answer(int Status, string? ContentType, string Body, IHeaderDictionary Headers);

public static class RawRequests
{
    /// <summary>
    /// Sends a probe through the test server's whole pipeline without going through <see cref="HttpClient"/>.
    /// Returns null for a path that decodes to a NUL character: no server hands such a request to
    /// the application (Kestrel answers 400 "The path contains null characters" itself), and the
    /// test server refuses to build it.
    /// </summary>
    public static async Task<Answer?> SendAsync(this TestServer server, Probe probe, string adminKey)
    {
        PathString path;
        try
        {
            path = PathString.FromUriComponent(probe.Path);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        var context = await server.SendAsync(c =>
        {
            c.Request.Method = probe.Method;
            c.Request.Path = path;
            c.Request.QueryString = new QueryString(probe.Query);
            if (!probe.Anonymous)
                c.Request.Headers["X-Api-Key"] = adminKey;
            foreach (var (name, value) in probe.Headers)
                c.Request.Headers.Append(name, value);
            if (probe.Body is not null)
            {
                c.Request.Body = new MemoryStream(probe.Body, writable: false);
                c.Request.ContentLength = probe.Body.Length;
            }
            if (probe.ContentType is not null)
                c.Request.ContentType = probe.ContentType;
        });
        using var reader = new StreamReader(context.Response.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        return new Answer(context.Response.StatusCode, context.Response.ContentType, body, context.Response.Headers);
    }
}

/// <summary>
/// A seeded generator of malformed requests over every route of the API: wrong JSON types, missing
/// and unknown fields, huge and NaN-like numbers, 1 MB strings, invalid UTF-8, SQL and script text,
/// broken JSON and NDJSON, wrong content types, percent-encoding errors, repeated and 10 kB query
/// values, oversized bodies and path ids that are not GUIDs.
/// </summary>
public sealed class MalformedRequests(Random random, string seededEmployer)
{
    public const string SqlInjection = "'; DROP TABLE datapoints; --";
    public const string Script = "<script>alert(1)</script>";
    public const string Nul = "\u0000";

    /// <summary>Text a client might send to break out of SQL, HTML, templates, paths or headers.</summary>
    public static readonly string[] HostileText =
    [
        SqlInjection, Script, Nul, "a\u0000b", "' OR '1'='1", "\"; DELETE FROM api_keys; --", "Robert'); DROP TABLE employers;--",
        "${jndi:ldap://x/a}", "{{7*7}}", "../../../etc/passwd", "%00", "%zz", "\\", "\\u0000", "\u202Eexe.txt", "😀", "\uFEFF",
        "\r\nX-Injected: 1", "\u0001\u001f", "NULL", "null", "undefined", "L4\n", " ", "", "é", "东京", "<svg onload=alert(1)>",
    ];

    private static readonly string TenKb = new('k', 10 * 1024);
    private static readonly string OneMb = new('m', 1024 * 1024);

    private static readonly string[] WrongTypes = ["true", "false", "null", "{}", "[]", "[1,2,3]", "{\"a\":1}", "\"text\"", "\"\"", "0", "-1", "1.5", "123456789", "[\"read\"]"];
    private static readonly string[] HugeNumbers =
        ["1e308", "-1e308", "1e30", "-0", "99999999999999999999", "-99999999999999999999", "1e400", "1e-400", "0.000000001", "123.456", "79228162514264337593543950336", "-0.0", "2147483648", "-2147483649"];
    private static readonly string[] NanLike = ["\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1e308\"", "\"0x10\"", "\"1,000\"", "\"-0\"", "\"99999999999999999999\""];
    private static readonly string[] InvalidLiterals = ["NaN", "Infinity", "-Infinity", "undefined", "01", "+1", ".5", "1.", "0x1F", "'x'", "tru", "nul", "1e", "--1", "\"unterminated"];
    private static readonly string[] BadDates =
        ["\"2024-13-01\"", "\"2024-02-30\"", "\"9999-12-31\"", "\"0001-01-01\"", "\"24-01-01\"", "\"2024-01-01T00:00:00Z\"", "\"yesterday\"", "20240101", "\"1969-12-31\"", "\"2999-01-01\"", "\"2024-1-1\"", "\"\""];
    private static readonly string[] LoneSurrogates = ["\"\\ud800\"", "\"x\\udc00y\"", "\"\\ud83d\""];
    private static readonly byte[][] InvalidUtf8 =
        [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE, 0xFF], [0xE2, 0x82], [0x80]];

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
    private bool Chance(double p) => random.NextDouble() < p;

    private static string Json(string text) => JsonSerializer.Serialize(text);

    /// <summary>Any bad JSON value: wrong types, huge and NaN-like numbers, invalid literals, hostile or huge strings, bad dates.</summary>
    private string BadValue()
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.16 => Pick(WrongTypes),
            < 0.32 => Pick(HugeNumbers),
            < 0.40 => Pick(NanLike),
            < 0.48 => Pick(InvalidLiterals),
            < 0.70 => Json(Pick(HostileText)),
            < 0.76 => Pick(LoneSurrogates),
            < 0.86 => Pick(BadDates),
            < 0.93 => Json(TenKb),
            < 0.935 => Json(OneMb),
            _ => Json(Pick(HostileText) + Pick(HostileText)),
        };
    }

    // ---- bodies as ordered field lists, so that any raw (even invalid) JSON can stand as a value ----

    private sealed class Body(List<KeyValuePair<string, string>> fields)
    {
        public List<KeyValuePair<string, string>> Fields { get; } = fields;
        public string Text => "{" + string.Join(",", Fields.Select(f => JsonSerializer.Serialize(f.Key) + ":" + f.Value)) + "}";
    }

    private static Body Of(params (string Key, string Raw)[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Key, f.Raw)).ToList());

    private Body Datapoint(bool withOptional) => withOptional
        ? Of(("employer", Json(seededEmployer)), ("employerName", "\"Acme Corp\""), ("role", "\"ml-engineer\""), ("level", "\"L4\""), ("employerLevel", "\"IC4\""),
            ("region", "\"us-ca-sf-bay-area\""), ("currency", "\"USD\""), ("effectiveDate", "\"2024-03-01\""), ("baseSalary", "150000"),
            ("targetBonus", "10000"), ("signOnBonus", "5000"), ("equityGrant", "100000"), ("equityVestingYears", "4"), ("retentionGrant", "50000"),
            ("retentionVestingYears", "4"), ("yearsOfExperience", "5.5"), ("source", "\"self_reported\""), ("sourceNote", "\"Glassdoor\""), ("verified", "false"),
            ("equityVestingSchedule", "[5, 15, 40, 40]"), ("retentionVestingSchedule", "[25, 25, 25, 25]"), ("equityBasis", "\"public_rsu\""), ("packageType", "\"new_hire\""))
        : Of(("employer", Json(seededEmployer)), ("role", "\"ml-engineer\""), ("level", "\"L4\""), ("region", "\"us-ca-sf-bay-area\""), ("currency", "\"USD\""),
            ("effectiveDate", "\"2024-03-01\""), ("baseSalary", "150000"), ("source", "\"self_reported\""));

    private static readonly string[] DatapointRequired = ["employer", "role", "region", "currency", "effectiveDate", "baseSalary", "source"];

    private static readonly string[] UnknownFieldNames =
        ["salary", "base_salary", "id", "createdAt", "apiKeyId", "__proto__", "constructor", "", " ", "baseSalary ", SqlInjection, Script, "\u0000", "é", "level\u0000"];

    /// <summary>One to three of: a field set to a bad value, a required field removed, an unknown field added, a field repeated.</summary>
    private Body Mutate(Body body, IReadOnlyList<string> required, Func<string, string?>? fieldSpecific = null)
    {
        var mutations = 1 + random.Next(3);
        for (var m = 0; m < mutations; m++)
        {
            var roll = random.NextDouble();
            if (roll < 0.6 && body.Fields.Count > 0)
            {
                var i = random.Next(body.Fields.Count);
                var key = body.Fields[i].Key;
                body.Fields[i] = KeyValuePair.Create(key, (Chance(0.4) ? fieldSpecific?.Invoke(key) : null) ?? BadValue());
            }
            else if (roll < 0.75 && required.Count > 0)
            {
                var key = Pick(required);
                body.Fields.RemoveAll(f => f.Key == key);
            }
            else if (roll < 0.92)
            {
                var name = Chance(0.1) ? TenKb : Pick(UnknownFieldNames);
                body.Fields.Insert(random.Next(body.Fields.Count + 1), KeyValuePair.Create(name, Chance(0.5) ? "\"x\"" : BadValue()));
            }
            else if (body.Fields.Count > 0)
            {
                var field = Pick(body.Fields);
                body.Fields.Add(KeyValuePair.Create(field.Key, BadValue()));
            }
        }
        return body;
    }

    private string? DatapointFieldValue(string field) => field switch
    {
        "employer" => Pick(["\"Acme\"", "\"acme--corp\"", "\"-acme\"", Json(new string('a', 101)), "\"acme corp\"", Json(SqlInjection)]),
        "role" => Pick(["\"astronaut\"", "\"ML-ENGINEER\"", "\"ml-engineer \"", Json(Script)]),
        "level" => Pick(["\"L0\"", "\"L10\"", "\"l4\"", "\"E5\"", "4"]),
        "employerLevel" => Pick(["\"\"", Json(new string('e', 51)), "\"E99\""]),
        "region" => Pick(["\"US\"", "\"us-zz\"", "\"mars\"", "\"us-ca-\"", Json("us-ca" + SqlInjection)]),
        "currency" => Pick(["\"usd\"", "\"XXX\"", "\"US\"", "\"USDD\"", "\"€\"", "\"BTC\""]),
        "effectiveDate" => Pick(BadDates),
        "baseSalary" => Pick(["0", "-1", "-0", "100000001", "150000.001", "1e308", "99999999999999999999", "\"NaN\"", "NaN"]),
        "targetBonus" or "signOnBonus" => Pick(["-1", "100000001", "0.001", "1e30"]),
        "equityGrant" or "retentionGrant" => Pick(["-0.01", "2000000001", "1e30", "0.125"]),
        "equityVestingYears" or "retentionVestingYears" => Pick(["0", "11", "-1", "4.5", "2147483648", "1e308"]),
        "equityVestingSchedule" or "retentionVestingSchedule" => Pick(["[]", "[100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]", "[50, 49]", "[-10, 110]", "[null]", "[\"x\"]", "[1e308]",
            "[33.33333, 66.66667]", "[[50], [50]]", "{}", "100", Json(TenKb), "[" + string.Join(",", Enumerable.Repeat("0", 20_000)) + "]"]),
        "equityBasis" => Pick(["\"PUBLIC_RSU\"", "\"rsu\"", "\"\"", "0", Json(SqlInjection)]),
        "packageType" => Pick(["\"NEW_HIRE\"", "\"new hire\"", "\"\"", "null", "1", Json(Script)]),
        "yearsOfExperience" => Pick(["-1", "71", "5.55", "1e30"]),
        "source" => Pick(["\"glassdoor\"", "\"SELF_REPORTED\"", "\"\"", Json(SqlInjection)]),
        "sourceNote" => Pick([Json(new string('n', 501)), Json(TenKb), Json(Nul)]),
        "employerName" => Pick([Json(new string('n', 201)), Json(Nul)]),
        "verified" => Pick(["\"yes\"", "1", "\"true\"", "\"True\""]),
        _ => null,
    };

    // ---- query strings written by hand: encoded, raw, broken ----

    private static readonly string[] BandParameters =
        ["employer", "role", "level", "region", "from", "to", "source", "verified", "equityBasis", "packageType", "component", "percentiles", "currency", "agedTo", "groupBy"];

    private string? BandParameterValue(string name) => name switch
    {
        "employer" => Pick(["nope", $"{seededEmployer},nope", "ACME", ",,,", seededEmployer + "\u0000"]),
        "role" => Pick(["astronaut", "ml-engineer,,astronaut", "ML-ENGINEER"]),
        "level" => Pick(["L0", "L10", "l4", "E5", "L4,L99"]),
        "region" => Pick(["mars", "US", "us-", "us-ca,zz"]),
        "from" or "to" or "agedTo" => Pick(["2024-13-01", "2024-02-30", "yesterday", "20240101", "0001-01-01", "9999-12-31", "2024-01-01T00:00:00Z", "-2024-01-01"]),
        "source" => Pick(["glassdoor", "SELF_REPORTED"]),
        "verified" => Pick(["yes", "1", "TRUE ", "null"]),
        "component" => Pick(["Total", "salary", "base,bonus", "TOTAL", "year0", "year5", "Year2"]),
        "equityBasis" => Pick(["rsu", "public_rsu,,nope", "PUBLIC_RSU", "unknown"]),
        "packageType" => Pick(["raise", "new_hire,", "NEW_HIRE", "new hire"]),
        "percentiles" => Pick(["0", "100", "-1", "1.5", "abc", "50,,50", "99999999999999999999", "1e308", "50;90", string.Join(",", Enumerable.Range(0, 2000).Select(i => i % 99 + 1)), " 50 ", "NaN", "+50"]),
        "currency" => Pick(["usd", "XXX", "EURO", "€", "NaN"]),
        "groupBy" => Pick(["employer,employer", "period", "EMPLOYER", "salary", ",", "employer,role,level,region,employer", "role;level", "equitybasis", "packageType,packageType"]),
        _ => null,
    };

    /// <summary>A query value as the generator chooses to put it on the wire.</summary>
    private string QueryValue(string? specific)
    {
        var roll = random.NextDouble();
        var text = roll switch
        {
            < 0.35 when specific is not null => specific,
            < 0.70 => Pick(HostileText),
            < 0.78 => TenKb,
            < 0.86 => Pick(["NaN", "Infinity", "-0", "1e308", "99999999999999999999", "-1", ""]),
            _ => null,
        };
        if (text is null)
            return Pick(["%zz", "%", "%%", "%F", "%FF%FE", "%C3%28", "%ED%A0%80", "%00", "a%2", "%u0041", "%E2%82", "+%2B+", "é", "<>\"'", "a=b=c", "a&b"]);
        return Chance(0.8) ? Uri.EscapeDataString(text) : text.Replace("&", "").Replace("#", "");
    }

    private string Query(IReadOnlyList<string> parameters, Func<string, string?> specific, IReadOnlyList<(string, string)>? valid = null)
    {
        var pairs = new List<string>();
        if (valid is not null && Chance(0.7))
            pairs.AddRange(valid.Select(v => $"{v.Item1}={v.Item2}"));
        var count = 1 + random.Next(4);
        for (var i = 0; i < count; i++)
        {
            var roll = random.NextDouble();
            if (roll < 0.75)
            {
                var name = Pick(parameters);
                pairs.Add($"{name}={QueryValue(specific(name))}");
            }
            else if (roll < 0.85)
            {
                // The same parameter repeated.
                var name = Pick(parameters);
                pairs.Add($"{name}={QueryValue(specific(name))}");
                pairs.Add($"{name}={QueryValue(specific(name))}");
            }
            else if (roll < 0.92)
                pairs.Add(Pick(["unknown=1", "=x", "role", "&&&", "=", "%zz=%zz", "role[]=x", "ROLE=ml-engineer", Uri.EscapeDataString(SqlInjection) + "=1"]));
            else if (roll < 0.97)
                pairs.Add($"{Pick(parameters)}={TenKb}");
            else
                pairs.AddRange(Enumerable.Range(0, 500).Select(j => $"p{j}={j}"));
        }
        return "?" + string.Join("&", pairs.OrderBy(_ => random.Next()));
    }

    // ---- the routes ----

    private static readonly List<KeyValuePair<string, string>> NoHeaders = [];

    private Probe Make(string route, string description, string method, string path, string query = "", string? body = null,
        string? contentType = "application/json", List<KeyValuePair<string, string>>? headers = null) =>
        new(route, description, method, path, query, body is null ? null : Encoding.UTF8.GetBytes(body), body is null ? null : contentType,
            headers ?? NoHeaders, Anonymous: false);

    /// <summary>Breaks a body that is (otherwise) JSON in one of many ways, or sends it with a wrong content type.</summary>
    private Probe Corrupt(Probe probe)
    {
        var text = probe.Body is null ? "{}" : Encoding.UTF8.GetString(probe.Body);
        var roll = random.NextDouble();
        if (roll < 0.30)
        {
            // Wrong content types, with bodies to match them.
            var (type, body) = random.Next(9) switch
            {
                0 => ("text/plain", text),
                1 => ("application/xml", "<datapoint><employer>acme</employer><baseSalary>1</baseSalary></datapoint>"),
                2 => ("multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"employer\"\r\n\r\nacme\r\n--XyZ--\r\n"),
                3 => ("application/x-www-form-urlencoded", "employer=acme&baseSalary=1"),
                4 => ((string?)null, text),
                5 => ("application/jsonx", text),
                6 => (";;;", text),
                7 => ("application/json; charset=utf-16", text),
                _ => ("image/png", "\u0089PNG\r\n"),
            };
            return probe with { Description = probe.Description + $" + content type {type ?? "none"}", Body = Encoding.UTF8.GetBytes(body), ContentType = type };
        }
        if (roll < 0.50)
        {
            // Invalid UTF-8: inside a string value, inside a property name, or between tokens.
            var bytes = Encoding.UTF8.GetBytes(text).ToList();
            var quotes = bytes.Select((b, i) => (b, i)).Where(x => x.b == (byte)'"').Select(x => x.i).ToList();
            var at = quotes.Count > 0 && Chance(0.8) ? quotes[random.Next(quotes.Count)] + 1 : random.Next(bytes.Count + 1);
            bytes.InsertRange(at, Pick(InvalidUtf8));
            return probe with { Description = probe.Description + " + invalid UTF-8", Body = [.. bytes] };
        }
        if (roll < 0.85)
        {
            var broken = random.Next(12) switch
            {
                0 => text[..random.Next(text.Length)],
                1 => text.Insert(random.Next(text.Length + 1), Pick(["{", "}", "[", "]", ",", ":", "\"", "\\", "NaN", "//", "/*"])),
                2 => text + Pick(["}", "]", ",", " garbage", "{}", "\u0000"]),
                3 => text.TrimEnd('}') + ",}",
                4 => "/* comment */" + text,
                5 => text.Replace("\"", "'"),
                6 => "",
                7 => "   \r\n\t ",
                8 => new string('[', 5000) + new string(']', 5000),
                9 => "\uFEFF" + text,
                10 => Pick(["null", "[]", "\"str\"", "42", "true", "[{}]", "[null]", "{\"\":{}}"]),
                _ => text.Replace(":", "="),
            };
            return probe with { Description = probe.Description + " + broken JSON", Body = Encoding.UTF8.GetBytes(broken) };
        }
        if (roll < 0.87)
        {
            // Oversized: a 2 MB body of otherwise plausible JSON.
            return probe with { Description = probe.Description + " + 2 MB body", Body = Encoding.UTF8.GetBytes(text.TrimEnd('}') + (text.Length > 2 ? "," : "") + "\"pad\":" + Json(new string('p', 2 * 1024 * 1024)) + "}") };
        }
        // Headers that a body route reads.
        var headers = new List<KeyValuePair<string, string>>(probe.Headers)
        {
            KeyValuePair.Create("Idempotency-Key", Pick(["", new string('i', 300), "ключ", "a\tb", "x\u0000y", Guid.NewGuid().ToString()])),
        };
        return probe with { Description = probe.Description + " + odd Idempotency-Key", Headers = headers };
    }

    private Probe DatapointPost()
    {
        var body = Mutate(Datapoint(Chance(0.5)), DatapointRequired, DatapointFieldValue);
        var probe = Make("POST /v1/datapoints", "datapoint fields", "POST", "/v1/datapoints", body: body.Text);
        return Chance(0.35) ? Corrupt(probe) : probe;
    }

    private Probe Batch()
    {
        var ndjson = Chance(0.4);
        var rows = new List<string>();
        var count = 1 + random.Next(5);
        for (var i = 0; i < count; i++)
        {
            var row = Datapoint(Chance(0.5));
            // Most rows bad; some valid rows so that all-or-nothing is exercised.
            rows.Add(Chance(0.75) ? Mutate(row, DatapointRequired, DatapointFieldValue).Text : row.Text);
        }
        if (rows.All(r => !r.Contains("\"x\"")) && Chance(0.5))
            rows[random.Next(rows.Count)] = Pick(["{", "[]", "42", "null", "{\"employer\":", "\"row\"", "{}"]);
        string body;
        if (ndjson)
            body = string.Join(Pick(["\n", "\r\n", "\n\n"]), rows.Select(r => Chance(0.15) ? r[..random.Next(r.Length)] : r)) + (Chance(0.5) ? "\n" : "");
        else
            body = "[" + string.Join(",", rows) + "]";
        var query = random.Next(8) switch
        {
            0 => "?allowPartial=true",
            1 => "?allowPartial=yes",
            2 => "?allowPartial=true&allowPartial=false",
            3 => "?allowPartial=" + Uri.EscapeDataString(SqlInjection),
            4 => "?allowPartial=%zz",
            5 => "?allowPartial=1",
            _ => "",
        };
        var headers = new List<KeyValuePair<string, string>>();
        switch (random.Next(10))
        {
            case 0: break; // missing: a batch needs one
            case 1: headers.Add(KeyValuePair.Create("Idempotency-Key", Pick(["", new string('i', 201), "ключ", "x\u0000y"]))); break;
            case 2: headers.Add(KeyValuePair.Create("Idempotency-Key", "reused-fuzz-key")); break;
            case 3:
                headers.Add(KeyValuePair.Create("Idempotency-Key", Guid.NewGuid().ToString()));
                headers.Add(KeyValuePair.Create("Idempotency-Key", Guid.NewGuid().ToString()));
                break;
            default: headers.Add(KeyValuePair.Create("Idempotency-Key", Guid.NewGuid().ToString())); break;
        }
        var contentType = ndjson ? Pick(["application/x-ndjson", "application/jsonl", "application/x-ndjson; charset=utf-8"]) : "application/json";
        var probe = Make("POST /v1/datapoints/batch", ndjson ? "NDJSON batch" : "JSON array batch", "POST", "/v1/datapoints/batch", query, body, contentType, headers);
        if (Chance(0.05))
            probe = probe with { Description = "batch of the wrong kind", ContentType = ndjson ? "application/json" : "application/x-ndjson" };
        return Chance(0.25) ? Corrupt(probe) : probe;
    }

    private static readonly string[] BadIds =
    [
        "not-a-guid", "123", "00000000-0000-0000-0000-00000000000g", "%00", Uri.EscapeDataString(SqlInjection), Uri.EscapeDataString(Script),
        "%zz", "..", "%2e%2e", "null", "-1", "1e308", new string('f', 10 * 1024), "%FF%FE", "01a213db-adcb-731a-85dd-e47826e15668x",
        "{01a213db-adcb-731a-85dd-e47826e15668", "é",
    ];

    private string Id() => random.Next(4) switch
    {
        0 => Guid.NewGuid().ToString(),                   // a GUID that names nothing
        1 => "{" + Guid.NewGuid().ToString().ToUpperInvariant() + "}",
        _ => Pick(BadIds),
    };

    private Probe DatapointById()
    {
        var method = Pick(["GET", "DELETE", "GET", "DELETE", "PUT", "PATCH"]);
        var id = Id();
        return Make($"{method} /v1/datapoints/{{id}}", $"datapoint id {Shorten(id)}", method, "/v1/datapoints/" + id,
            Chance(0.2) ? Query(["id", "x"], _ => null) : "",
            body: method is "PUT" or "PATCH" ? Datapoint(false).Text : null);
    }

    private Probe BandGet(string route, string path, params string[] extra)
    {
        var parameters = BandParameters.Concat(extra).ToList();
        string? Specific(string name) => name switch
        {
            "amount" => Pick(["NaN", "Infinity", "-0", "0", "-5", "1e308", "99999999999999999999", "0x10", "1,000", "150000.5.5", "10000000001", "", "abc"]),
            "interval" => Pick(["month", "QUARTER", "week", "", "year,quarter"]),
            _ => BandParameterValue(name),
        };
        var valid = new List<(string, string)> { ("role", "ml-engineer") };
        if (extra.Contains("amount"))
            valid.Add(("amount", "150000"));
        var headers = new List<KeyValuePair<string, string>>();
        if (Chance(0.3))
            headers.Add(KeyValuePair.Create("Accept", Pick(["text/csv", "application/xml", "*/*", "garbage;;", "text/csv, application/json", "image/svg+xml"])));
        if (Chance(0.1))
            headers.Add(KeyValuePair.Create("If-None-Match", Pick(["*", "\"x\"", "W/\"\"", new string('"', 100), "\u0000"])));
        return Make(route, "band query", "GET", path, Query(parameters, Specific, valid), headers: headers);
    }

    private Body Compare()
    {
        var segments = "[{\"label\":\"ML engineers\",\"filter\":{\"role\":\"ml-engineer\",\"region\":\"us\"}},{\"label\":\"Acme\",\"filter\":{\"employer\":" + Json(seededEmployer) + "}}]";
        return Of(("component", "\"total\""), ("currency", "\"USD\""), ("agedTo", "null"), ("percentiles", "\"10,50,90\""), ("segments", segments));
    }

    private string? CompareFieldValue(string field)
    {
        string Segment(string filter) => "[{\"label\":\"s\",\"filter\":" + filter + "}]";
        return field switch
        {
            "component" => Pick(["\"Total\"", "\"salary\"", "\"\""]),
            "currency" => Pick(["\"usd\"", "\"XXX\"", Json(Nul)]),
            "agedTo" => Pick(BadDates),
            "percentiles" => Pick(["\"0,100\"", "\"abc\"", "[10,50]", "50", Json(TenKb), "\"1e308\""]),
            "segments" => Pick([
                "[]", "null", "\"x\"", "[null]", "[1]", "[{}]", "[{\"label\":\"x\"}]", "[{\"label\":\"x\",\"filter\":null}]",
                Segment("{\"rol\":\"x\"}"), Segment("{\"verified\":\"yes\"}"), Segment("{\"from\":\"2024-13-01\"}"), Segment("{\"to\":\"2020-01-01\",\"from\":\"2024-01-01\"}"),
                Segment("{\"employer\":" + Json(Pick(HostileText)) + "}"), Segment("{\"role\":" + Json(Pick(HostileText)) + "}"),
                Segment("{\"region\":" + Json(Pick(HostileText)) + "}"), Segment("{\"level\":" + BadValue() + "}"), Segment("{\"source\":" + BadValue() + "}"),
                Segment("[]"), Segment("\"us\""), Segment("{\"employer\":" + Json(TenKb) + "}"),
                "[" + string.Join(",", Enumerable.Repeat("{\"label\":\"x\",\"filter\":{}}", 21)) + "]",
                "[{\"label\":" + Json(Pick(HostileText)) + ",\"filter\":{}}]", "[{\"label\":" + Json(new string('l', 101)) + ",\"filter\":{}}]",
                "[{\"label\":\"x\",\"filter\":{},\"extra\":1}]", "[{\"label\":" + BadValue() + ",\"filter\":{}}]",
            ]),
            _ => null,
        };
    }

    private Probe ComparePost(string path)
    {
        var route = $"POST {path}";
        var probe = Make(route, "compare body", "POST", path, body: Mutate(Compare(), ["segments"], CompareFieldValue).Text);
        return Chance(0.3) ? Corrupt(probe) : probe;
    }

    private Probe TaxonomyGet()
    {
        var path = Pick(["/v1/employers", "/v1/roles", "/v1/levels", "/v1/regions"]);
        string? Specific(string name) => name switch
        {
            "parent" => Pick(["mars", "US", "us-", "%00"]),
            "kind" => Pick(["city", "COUNTRY", "metro,country"]),
            _ => null,
        };
        return Make($"GET {path}", "taxonomy query", "GET", path, Query(["parent", "kind", "slug", "limit"], Specific));
    }

    private Probe TaxonomyPost()
    {
        var (path, body, required) = random.Next(3) switch
        {
            0 => ("/v1/employers", Of(("slug", Json($"fuzz-{random.Next(1000)}")), ("name", "\"Fuzz\"")), new[] { "slug", "name" }),
            1 => ("/v1/roles", Of(("slug", Json($"fuzz-role-{random.Next(1000)}")), ("title", "\"Fuzz\""), ("family", "\"research\"")), ["slug", "title", "family"]),
            _ => ("/v1/regions", Of(("code", Json($"us-ca-fuzz{random.Next(1000)}")), ("name", "\"Fuzz\""), ("currency", "\"USD\"")), ["code", "name", "currency"]),
        };
        string? Specific(string name) => name switch
        {
            "slug" or "family" => Pick(["\"Fuzz\"", "\"a--b\"", "\"-a\"", Json(new string('s', 101)), Json(SqlInjection)]),
            "code" => Pick(["\"US-CA-X\"", "\"zz-unknown\"", "\"xx-yy-zz\"", "\"u\"", Json(new string('c', 101)), "\"us-ca-\""]),
            "currency" => Pick(["\"usd\"", "\"XXX\"", "\"\""]),
            "name" or "title" => Pick([Json(new string('n', 201)), Json(Nul), "\"\"", "\"   \""]),
            _ => null,
        };
        var probe = Make($"POST {path}", "taxonomy body", "POST", path, body: Mutate(body, required, Specific).Text);
        return Chance(0.3) ? Corrupt(probe) : probe;
    }

    private string Slug() => random.Next(6) switch
    {
        0 or 1 => seededEmployer,
        2 => "nope",
        3 => Uri.EscapeDataString(Pick(HostileText.Where(t => t.Length > 0).ToList())),
        4 => Pick(["%zz", "%00", "%FF%FE", "%C3%28", "..", "%2e%2e", "%2F", "a%2Fb"]),
        _ => new string('s', 10 * 1024),
    };

    private Probe EmployerLevels()
    {
        var slug = Slug();
        var path = $"/v1/employers/{slug}/levels";
        if (Chance(0.4))
            return Make("GET /v1/employers/{slug}/levels", $"levels of {Shorten(slug)}", "GET", path, Chance(0.3) ? Query(["x"], _ => null) : "");
        var levels = "{\"IC4\":\"L4\",\"IC5\":\"L5\"}";
        string? Specific(string name) => name == "levels"
            ? Pick([
                "[]", "null", "\"L4\"", "{\"IC4\":4}", "{\"\":\"L4\"}", "{\"IC4\":\"L99\"}", "{\"IC4\":null}", "{\"IC4\":[\"L4\"]}",
                "{" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"N{i}\":\"L4\"")) + "}",
                "{" + Json(new string('k', 51)) + ":\"L4\"}", "{" + Json(TenKb) + ":\"L4\"}", "{" + Json(Pick(HostileText)) + ":\"L4\"}",
                "{\"IC4\":" + Json(Pick(HostileText)) + "}", "{\"IC4\":\"L4\",\"IC4\":\"L5\"}", "{\"a\\u0000b\":\"L4\"}",
            ])
            : null;
        var body = Mutate(Of(("levels", levels)), ["levels"], Specific);
        var probe = Make("PUT /v1/employers/{slug}/levels", $"level mapping of {Shorten(slug)}", "PUT", path, body: body.Text);
        return Chance(0.3) ? Corrupt(probe) : probe;
    }

    private Probe Fx()
    {
        if (Chance(0.35))
        {
            string? Specific(string name) => name == "currency" ? Pick(["eur", "XXX", "EUR,USD", "€", "%00", "\u0000"]) : null;
            return Make("GET /v1/fx-rates", "fx query", "GET", "/v1/fx-rates", Query(["currency", "date", "from"], Specific));
        }
        string? FieldValue(string name) => name switch
        {
            "currency" => Pick(["\"USD\"", "\"eur\"", "\"XXX\"", Json(Nul), "\"\""]),
            "date" => Pick(BadDates),
            "usdPerUnit" => Pick(["0", "-1", "1000001", "0.00000000001", "1e308", "\"NaN\"", "NaN", "99999999999999999999"]),
            "source" => Pick([Json(new string('s', 201)), "\"\"", Json(Nul)]),
            _ => null,
        };
        var items = new List<string>();
        var count = 1 + random.Next(3);
        for (var i = 0; i < count; i++)
        {
            var rate = Of(("currency", "\"EUR\""), ("date", Json(new DateOnly(2020, 1, 1).AddDays(random.Next(1500)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
                ("usdPerUnit", "1.1"), ("source", "\"fuzz\""));
            items.Add(Chance(0.85) ? Mutate(rate, ["currency", "date", "usdPerUnit", "source"], FieldValue).Text : rate.Text);
        }
        var body = random.Next(12) switch
        {
            0 => items[0],                                   // an object, not an array
            1 => "[" + string.Join(",", Enumerable.Repeat("{}", 10_001)) + "]",
            2 => "[" + items[0] + "," + items[0] + "]",       // the same (currency, date) twice
            3 => "[1, \"x\", null]",
            _ => "[" + string.Join(",", items) + "]",
        };
        var probe = Make("PUT /v1/fx-rates", "fx rates", "PUT", "/v1/fx-rates", body: body);
        return Chance(0.3) ? Corrupt(probe) : probe;
    }

    private Probe Keys()
    {
        switch (random.Next(5))
        {
            case 0:
                return Make("GET /v1/keys", "keys query", "GET", "/v1/keys", Query(["name", "id"], _ => null));
            case 1:
                var id = Id();
                return Make("DELETE /v1/keys/{id}", $"key id {Shorten(id)}", "DELETE", "/v1/keys/" + id);
            default:
                string? Specific(string name) => name switch
                {
                    "scopes" => Pick(["[\"root\"]", "\"read\"", "[1]", "[null]", "[]", "{\"read\":true}", "[\"READ\"]", "[" + Json(SqlInjection) + "]", "[\"read\",\"x\"]"]),
                    "name" => Pick(["\"\"", Json(new string('n', 201)), Json(Nul), "null"]),
                    _ => null,
                };
                var probe = Make("POST /v1/keys", "key request", "POST", "/v1/keys", body: Mutate(Of(("name", "\"fuzz\""), ("scopes", "[\"read\"]")), ["name", "scopes"], Specific).Text);
                return Chance(0.3) ? Corrupt(probe) : probe;
        }
    }

    private Probe Health()
    {
        var path = Pick(["/health/live", "/health/ready"]);
        var headers = new List<KeyValuePair<string, string>>();
        if (Chance(0.5))
            headers.Add(KeyValuePair.Create("Accept", Pick(["application/xml", "garbage", "\u0000"])));
        return Make($"GET {path}", "health", Pick(["GET", "GET", "POST", "DELETE"]), path, Chance(0.5) ? Query(["x", "verbose"], _ => null) : "",
            headers: headers);
    }

    /// <summary>Methods a route does not have, and paths that are no route.</summary>
    private Probe Elsewhere()
    {
        var (method, path) = Pick<(string, string)>([
            ("PATCH", "/v1/datapoints"), ("GET", "/v1/datapoints"), ("PUT", "/v1/bands"), ("DELETE", "/v1/roles"), ("POST", "/v1/fx-rates"),
            ("DELETE", "/v1/bands/compare"), ("GET", "/v1/bands/compare"), ("PUT", "/v1/keys"), ("POST", "/v1/levels"), ("OPTIONS", "/v1/bands"),
            ("PROPFIND", "/v1/bands"), ("GET", "/v1/nope"), ("GET", "/v2/bands"), ("GET", "/v1/bands/nope"), ("GET", "/v1//bands"),
            ("GET", "/v1/datapoints/batch"), ("GET", "/v1/bands/chart.png"), ("GET", "/" + Uri.EscapeDataString(Script)), ("GET", "/v1/%zz"),
            ("GET", "/v1/" + new string('x', 10 * 1024)), ("DELETE", "/v1/employers/acme/levels"), ("POST", "/health/live"),
        ]);
        return Make($"{method} {Shorten(path)}", "no such route or method", method, path, body: method is "PATCH" or "PUT" or "POST" ? "{}" : null);
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    /// <summary>
    /// The cases every run makes whatever the seed: SQL, script and NUL text (and the other hostile
    /// strings) in every text field of every body and in every query parameter, each wrong content
    /// type on every body route, the named numbers, a 2 MB and a 1 MB-string datapoint, invalid
    /// UTF-8, NaN as a literal, and a batch one row over the limit.
    /// </summary>
    public IEnumerable<Probe> Landmarks()
    {
        string[] strings = [SqlInjection, Script, Nul, "a\u0000b", "\r\nX-Injected: 1", "😀"];
        Body Replace(Body body, string key, string raw)
        {
            var copy = new Body([.. body.Fields]);
            var i = copy.Fields.FindIndex(f => f.Key == key);
            if (i < 0) copy.Fields.Add(KeyValuePair.Create(key, raw)); else copy.Fields[i] = KeyValuePair.Create(key, raw);
            return copy;
        }
        string Segment(string field, string raw) =>
            "[{\"label\":" + (field == "label" ? raw : "\"s\"") + ",\"filter\":{" + (field == "label" ? "" : $"\"{field}\":{raw}") + "}}]";
        var batchHeaders = new List<KeyValuePair<string, string>> { KeyValuePair.Create("Idempotency-Key", "landmark") };

        foreach (var text in strings)
        {
            var raw = Json(text);
            foreach (var field in new[] { "employer", "employerName", "role", "level", "employerLevel", "region", "currency", "source", "sourceNote" })
            {
                var body = Replace(Datapoint(true), field, raw).Text;
                yield return Make("POST /v1/datapoints", $"{field} = {Json(text)}", "POST", "/v1/datapoints", body: body);
                yield return Make("POST /v1/datapoints/batch", $"{field} = {Json(text)}", "POST", "/v1/datapoints/batch", body: "[" + body + "]",
                    headers: [KeyValuePair.Create("Idempotency-Key", Guid.NewGuid().ToString())]);
            }
            foreach (var path in new[] { "/v1/bands/compare", "/v1/bands/chart.svg" })
            {
                foreach (var field in new[] { "component", "currency", "agedTo", "percentiles" })
                    yield return Make($"POST {path}", $"{field} = {Json(text)}", "POST", path, body: Replace(Compare(), field, raw).Text);
                foreach (var field in new[] { "label", "employer", "role", "level", "region", "from", "to", "source" })
                    yield return Make($"POST {path}", $"segment {field} = {Json(text)}", "POST", path, body: Replace(Compare(), "segments", Segment(field, raw)).Text);
            }
            foreach (var (path, body) in new[]
            {
                ("/v1/employers", Of(("slug", "\"landmark\""), ("name", "\"Landmark\""))),
                ("/v1/roles", Of(("slug", "\"landmark\""), ("title", "\"Landmark\""), ("family", "\"research\""))),
                ("/v1/regions", Of(("code", "\"us-ca-landmark\""), ("name", "\"Landmark\""), ("currency", "\"USD\""))),
                ("/v1/keys", Of(("name", "\"landmark\""), ("scopes", "[\"read\"]"))),
            })
            {
                foreach (var field in body.Fields.Select(f => f.Key).ToList())
                    yield return Make($"POST {path}", $"{field} = {Json(text)}", "POST", path, body: Replace(body, field, field == "scopes" ? $"[{raw}]" : raw).Text);
            }
            yield return Make("PUT /v1/employers/{slug}/levels", $"level name {Json(text)}", "PUT", $"/v1/employers/{seededEmployer}/levels", body: "{\"levels\":{" + raw + ":\"L4\"}}");
            yield return Make("PUT /v1/employers/{slug}/levels", $"ladder level {Json(text)}", "PUT", $"/v1/employers/{seededEmployer}/levels", body: "{\"levels\":{\"IC4\":" + raw + "}}");
            foreach (var field in new[] { "currency", "date", "source" })
                yield return Make("PUT /v1/fx-rates", $"{field} = {Json(text)}", "PUT", "/v1/fx-rates",
                    body: "[" + Replace(Of(("currency", "\"EUR\""), ("date", "\"2021-01-04\""), ("usdPerUnit", "1.1"), ("source", "\"landmark\"")), field, raw).Text + "]");

            // Every query parameter of every route that reads one, and every path parameter.
            foreach (var query in new[] { Uri.EscapeDataString(text), text.Replace("&", "") })
            {
                foreach (var (route, path, extra) in new[]
                {
                    ("GET /v1/bands", "/v1/bands", Array.Empty<string>()), ("GET /v1/bands/position", "/v1/bands/position", ["amount"]),
                    ("GET /v1/bands/trend", "/v1/bands/trend", ["interval"]), ("GET /v1/bands/chart.svg", "/v1/bands/chart.svg", []),
                })
                {
                    foreach (var name in BandParameters.Concat(extra))
                        yield return Make(route, $"{name} = {Json(text)}", "GET", path, $"?role=ml-engineer&amount=150000&{name}={query}");
                }
                yield return Make("GET /v1/regions", $"parent = {Json(text)}", "GET", "/v1/regions", $"?parent={query}");
                yield return Make("GET /v1/regions", $"kind = {Json(text)}", "GET", "/v1/regions", $"?kind={query}");
                yield return Make("GET /v1/fx-rates", $"currency = {Json(text)}", "GET", "/v1/fx-rates", $"?currency={query}");
                yield return Make("POST /v1/datapoints/batch", $"allowPartial = {Json(text)}", "POST", "/v1/datapoints/batch", $"?allowPartial={query}",
                    "[" + Datapoint(false).Text + "]", headers: [KeyValuePair.Create("Idempotency-Key", Guid.NewGuid().ToString())]);
            }
            var escaped = Uri.EscapeDataString(text);
            yield return Make("GET /v1/employers/{slug}/levels", $"slug {Json(text)}", "GET", $"/v1/employers/{escaped}/levels");
            yield return Make("PUT /v1/employers/{slug}/levels", $"slug {Json(text)}", "PUT", $"/v1/employers/{escaped}/levels", body: "{\"levels\":{}}");
            foreach (var method in new[] { "GET", "DELETE" })
                yield return Make($"{method} /v1/datapoints/{{id}}", $"id {Json(text)}", method, $"/v1/datapoints/{escaped}");
            yield return Make("DELETE /v1/keys/{id}", $"id {Json(text)}", "DELETE", $"/v1/keys/{escaped}");
        }

        // Percent-encoding errors, repeated parameters and 10 kB values on each band parameter.
        foreach (var name in BandParameters.Append("amount").Append("interval"))
        {
            var path = name switch { "amount" => "/v1/bands/position", "interval" => "/v1/bands/trend", _ => "/v1/bands" };
            foreach (var value in new[] { "%zz", "%", "%FF%FE", "%C3%28", TenKb, $"a&{name}=b&{name}=c" })
                yield return Make($"GET {path}", $"{name} = {Shorten(value)}", "GET", path, $"?amount=150000&{name}={value}");
        }

        // Every wrong content type on every body route.
        foreach (var (route, path, body) in new[]
        {
            ("POST /v1/datapoints", "/v1/datapoints", Datapoint(false).Text), ("POST /v1/datapoints/batch", "/v1/datapoints/batch", "[" + Datapoint(false).Text + "]"),
            ("POST /v1/bands/compare", "/v1/bands/compare", Compare().Text), ("POST /v1/bands/chart.svg", "/v1/bands/chart.svg", Compare().Text),
            ("POST /v1/employers", "/v1/employers", "{\"slug\":\"ct\",\"name\":\"CT\"}"), ("POST /v1/roles", "/v1/roles", "{\"slug\":\"ct\",\"title\":\"CT\",\"family\":\"ct\"}"),
            ("POST /v1/regions", "/v1/regions", "{\"code\":\"us-ca-ct\",\"name\":\"CT\",\"currency\":\"USD\"}"), ("POST /v1/keys", "/v1/keys", "{\"name\":\"ct\",\"scopes\":[\"read\"]}"),
            ("PUT /v1/employers/{slug}/levels", $"/v1/employers/{seededEmployer}/levels", "{\"levels\":{\"IC4\":\"L4\"}}"),
            ("PUT /v1/fx-rates", "/v1/fx-rates", "[{\"currency\":\"EUR\",\"date\":\"2021-01-04\",\"usdPerUnit\":1.1,\"source\":\"ct\"}]"),
        })
        {
            foreach (var (type, content) in new (string?, string)[]
            {
                ("text/plain", body), ("application/xml", "<datapoint><employer>acme</employer></datapoint>"),
                ("multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"employer\"\r\n\r\nacme\r\n--XyZ--\r\n"),
                ("application/x-www-form-urlencoded", "employer=acme"), (null, body),
            })
            {
                yield return Make(route, $"content type {type ?? "none"}", "POST" == route[..4] ? "POST" : "PUT", path, body: content, contentType: type,
                    headers: [KeyValuePair.Create("Idempotency-Key", Guid.NewGuid().ToString())]);
            }
        }

        // The named numbers, NaN as a literal (not JSON), 1 MB strings, a 2 MB body, invalid UTF-8.
        foreach (var field in new[] { "baseSalary", "targetBonus", "equityGrant", "equityVestingYears", "yearsOfExperience" })
        {
            foreach (var number in new[] { "1e308", "1e30", "-0", "99999999999999999999", "-1", "NaN", "Infinity", "-Infinity", "\"NaN\"", "\"Infinity\"" })
                yield return Make("POST /v1/datapoints", $"{field} = {number}", "POST", "/v1/datapoints", body: Replace(Datapoint(true), field, number).Text);
        }
        yield return Make("POST /v1/datapoints", "1 MB sourceNote", "POST", "/v1/datapoints", body: Replace(Datapoint(true), "sourceNote", Json(OneMb)).Text);
        yield return Make("POST /v1/datapoints", "2 MB body", "POST", "/v1/datapoints", body: Replace(Datapoint(true), "sourceNote", Json(OneMb + OneMb)).Text);
        yield return Make("POST /v1/datapoints/batch", "1 MB sourceNote", "POST", "/v1/datapoints/batch", body: "[" + Replace(Datapoint(true), "sourceNote", Json(OneMb)).Text + "]", headers: batchHeaders);
        yield return Make("POST /v1/keys", "1 MB name", "POST", "/v1/keys", body: "{\"name\":" + Json(OneMb) + ",\"scopes\":[\"read\"]}");
        yield return Make("PUT /v1/fx-rates", "1 MB source", "PUT", "/v1/fx-rates", body: "[{\"currency\":\"EUR\",\"date\":\"2021-01-04\",\"usdPerUnit\":1.1,\"source\":" + Json(OneMb) + "}]");
        foreach (var bad in InvalidUtf8)
        {
            var valid = Datapoint(true).Text;
            var inValue = Encoding.UTF8.GetBytes(valid.Replace("\"Glassdoor\"", "\"Glass~door\"")).ToList();
            var at = inValue.IndexOf((byte)'~');
            inValue.RemoveAt(at);
            inValue.InsertRange(at, bad);
            var inName = Encoding.UTF8.GetBytes("{\"employ").Concat(bad).Concat(Encoding.UTF8.GetBytes("er\":\"acme\"}")).ToArray();
            yield return Make("POST /v1/datapoints", "invalid UTF-8 in a value", "POST", "/v1/datapoints") with { Body = [.. inValue], ContentType = "application/json" };
            yield return Make("POST /v1/datapoints", "invalid UTF-8 in a name", "POST", "/v1/datapoints") with { Body = inName, ContentType = "application/json" };
            yield return Make("POST /v1/datapoints/batch", "invalid UTF-8 in a name", "POST", "/v1/datapoints/batch", headers: batchHeaders) with { Body = [(byte)'[', .. inName, (byte)']'], ContentType = "application/json" };
            yield return Make("POST /v1/datapoints/batch", "NDJSON, invalid UTF-8", "POST", "/v1/datapoints/batch", headers: batchHeaders) with { Body = [.. inValue, (byte)'\n', .. inName], ContentType = "application/x-ndjson" };
            yield return Make("POST /v1/bands/compare", "invalid UTF-8 in a label", "POST", "/v1/bands/compare") with
            {
                Body = [.. Encoding.UTF8.GetBytes("{\"segments\":[{\"label\":\""), .. bad, .. Encoding.UTF8.GetBytes("\",\"filter\":{}}]}")],
                ContentType = "application/json",
            };
            yield return Make("PUT /v1/employers/{slug}/levels", "invalid UTF-8 in a level name", "PUT", $"/v1/employers/{seededEmployer}/levels") with
            {
                Body = [.. Encoding.UTF8.GetBytes("{\"levels\":{\""), .. bad, .. Encoding.UTF8.GetBytes("\":\"L4\"}}")],
                ContentType = "application/json",
            };
            yield return Make("PUT /v1/fx-rates", "invalid UTF-8 in a source", "PUT", "/v1/fx-rates") with
            {
                Body = [.. Encoding.UTF8.GetBytes("[{\"currency\":\"EUR\",\"date\":\"2021-01-04\",\"usdPerUnit\":1.1,\"source\":\""), .. bad, .. Encoding.UTF8.GetBytes("\"}]")],
                ContentType = "application/json",
            };
        }

        // Dates at and beyond the ends of the calendar, and bodies that leave out what a validator reads.
        foreach (var date in new[] { "0001-01-01", "0001-01-02", "1969-12-31", "2999-12-31", "3000-01-01", "9999-12-30", "9999-12-31" })
        {
            foreach (var name in new[] { "agedTo", "from", "to" })
            {
                yield return Make("GET /v1/bands", $"{name} = {date}", "GET", "/v1/bands", $"?{name}={date}");
                yield return Make("GET /v1/bands/trend", $"{name} = {date}", "GET", "/v1/bands/trend", $"?interval=quarter&{name}={date}");
            }
            yield return Make("POST /v1/bands/compare", $"agedTo = {date}", "POST", "/v1/bands/compare", body: Replace(Compare(), "agedTo", Json(date)).Text);
            yield return Make("GET /v1/bands", $"agedTo = {date} in KRW", "GET", "/v1/bands", $"?agedTo={date}&currency=KRW&component=year1&groupBy=employer");
            yield return Make("POST /v1/datapoints", $"effectiveDate = {date}", "POST", "/v1/datapoints", body: Replace(Datapoint(false), "effectiveDate", Json(date)).Text);
            yield return Make("PUT /v1/fx-rates", $"date = {date}", "PUT", "/v1/fx-rates", body: $"[{{\"currency\":\"EUR\",\"date\":\"{date}\",\"usdPerUnit\":1.1,\"source\":\"x\"}}]");
        }
        foreach (var body in new[] { "{}", "{\"segments\":null}", "{\"segments\":[null]}", "{\"segments\":[{}]}", "{\"segments\":[{\"label\":\"x\"}]}" })
        {
            yield return Make("POST /v1/bands/compare", $"compare {body}", "POST", "/v1/bands/compare", body: body);
            yield return Make("POST /v1/bands/chart.svg", $"compare {body}", "POST", "/v1/bands/chart.svg", body: body);
        }
        foreach (var body in new[] { "{}", "{\"name\":\"x\"}", "{\"scopes\":[\"read\"]}", "{\"name\":\"x\",\"scopes\":null}", "{\"name\":\"x\",\"scopes\":[null]}" })
            yield return Make("POST /v1/keys", $"key {body}", "POST", "/v1/keys", body: body);
        foreach (var body in new[] { "{}", "{\"levels\":null}", "{\"levels\":{\"IC4\":null}}" })
            yield return Make("PUT /v1/employers/{slug}/levels", $"levels {body}", "PUT", $"/v1/employers/{seededEmployer}/levels", body: body);
        foreach (var body in new[] { "{}", "{\"slug\":null}", "{\"code\":null,\"name\":\"x\",\"currency\":\"USD\"}" })
        {
            foreach (var path in new[] { "/v1/employers", "/v1/roles", "/v1/regions" })
                yield return Make($"POST {path}", $"taxonomy {body}", "POST", path, body: body);
        }

        // One row over the batch limit.
        yield return Make("POST /v1/datapoints/batch", "50,001 rows", "POST", "/v1/datapoints/batch",
            body: "[" + string.Join(",", Enumerable.Repeat("{}", 50_001)) + "]", headers: batchHeaders);
    }

    /// <summary>The next malformed request, over every route, about one in five anonymous.</summary>
    public Probe Next()
    {
        var roll = random.NextDouble();
        var probe = roll switch
        {
            < 0.16 => DatapointPost(),
            < 0.26 => Batch(),
            < 0.31 => DatapointById(),
            < 0.43 => BandGet("GET /v1/bands", "/v1/bands"),
            < 0.48 => BandGet("GET /v1/bands/position", "/v1/bands/position", "amount"),
            < 0.53 => BandGet("GET /v1/bands/trend", "/v1/bands/trend", "interval"),
            < 0.57 => BandGet("GET /v1/bands/chart.svg", "/v1/bands/chart.svg"),
            < 0.64 => ComparePost("/v1/bands/compare"),
            < 0.68 => ComparePost("/v1/bands/chart.svg"),
            < 0.71 => TaxonomyGet(),
            < 0.75 => TaxonomyPost(),
            < 0.81 => EmployerLevels(),
            < 0.87 => Fx(),
            < 0.93 => Keys(),
            < 0.95 => Health(),
            _ => Elsewhere(),
        };
        if (Chance(0.08) && !probe.Headers.Any(h => h.Key == "Accept"))
            probe = probe with { Headers = [.. probe.Headers, KeyValuePair.Create("Accept", Pick(["text/html", "application/xml", "text/csv", "image/png", "*/*", "garbage;;", "application/json;q=0"]))] };
        return Chance(0.2) ? probe with { Anonymous = true } : probe;
    }
}
