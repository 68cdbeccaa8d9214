using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Comp.Api.Infrastructure;

/// <summary>
/// A JSON request body read field by field, so that every problem with it — malformed JSON, a
/// field of the wrong type, a field the API does not know — is reported with the field's name
/// instead of failing on the first one. Unknown fields are errors: a typo must not drop data.
/// </summary>
public sealed class JsonBody<T> where T : class
{
    public T? Value { get; private init; }
    public Dictionary<string, string[]> Errors { get; private init; } = [];

    /// <summary>The largest body a single-object route reads, in bytes.</summary>
    public const int MaxBytes = 1024 * 1024;

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
            throw new UnsupportedContentTypeException("Send the body as application/json.");

        JsonDocument document;
        try
        {
            using var limited = new MemoryStream();
            await CopyLimitedAsync(request.Body, limited, MaxBytes, context.RequestAborted);
            limited.Position = 0;
            document = await JsonDocument.ParseAsync(limited, cancellationToken: context.RequestAborted);
        }
        catch (JsonException ex)
        {
            return new JsonBody<T> { Errors = new() { ["body"] = [$"The body is not valid JSON: {ex.Message}"] } };
        }
        using (document)
        {
            var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            return Read(document.RootElement, options);
        }
    }

    /// <summary>Reads one JSON object into <typeparamref name="T"/>, collecting an error per bad field.</summary>
    public static JsonBody<T> Read(JsonElement element, JsonSerializerOptions options)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return new JsonBody<T> { Errors = new() { ["body"] = ["The body must be a JSON object."] } };

        var shape = Shapes.GetValue(options, o => new Shape(o));
        var typeInfo = shape.TypeInfo;
        if (shape.TryReadWhole(element) is { } whole)
            return new JsonBody<T> { Value = whole };
        var known = shape.Known;
        var errors = new Dictionary<string, string[]>();
        foreach (var property in element.EnumerateObject())
        {
            // JsonDocument checks the structure, not the encoding: text that is not valid UTF-8 throws only when read.
            string name;
            try
            {
                name = property.Name;
            }
            catch (InvalidOperationException)
            {
                errors["body"] = ["A field name is not valid UTF-8."];
                continue;
            }
            if (!known.TryGetValue(name, out var info))
            {
                errors[name] = [$"Unknown field '{name}'. The fields are: {string.Join(", ", typeInfo.Properties.Select(p => p.Name))}."];
                continue;
            }
            if (TextProblem(property.Value) is { } problem)
            {
                errors[info.Name] = [problem];
                continue;
            }
            try
            {
                property.Value.Deserialize(info.PropertyType, options);
            }
            catch (JsonException ex) when (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array && ex.Path is { Length: > 1 })
            {
                // Inside a nested object: name the nested field, e.g. segments[0].filter.rol.
                errors[info.Name + ex.Path[1..]] = [NestedMessage(ex)];
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
            {
                errors[info.Name] = [TypeMessage(info.PropertyType, property.Value)];
            }
        }
        if (errors.Count > 0)
            return new JsonBody<T> { Errors = errors };

        try
        {
            return new JsonBody<T> { Value = element.Deserialize(typeInfo) };
        }
        catch (JsonException ex)
        {
            return new JsonBody<T> { Errors = new() { [ex.Path?.TrimStart('$', '.') is { Length: > 0 } p ? p : "body"] = [ex.Message] } };
        }
    }

    private static readonly ConditionalWeakTable<JsonSerializerOptions, Shape> Shapes = new();

    /// <summary>
    /// What reading <typeparamref name="T"/> with one set of options needs, made once: its fields by
    /// name, and a stricter copy of the options for the one-pass read of a body with nothing wrong.
    /// </summary>
    private sealed class Shape
    {
        public JsonTypeInfo<T> TypeInfo { get; }
        public Dictionary<string, JsonPropertyInfo> Known { get; }
        private readonly JsonTypeInfo<T>? strict;

        public Shape(JsonSerializerOptions options)
        {
            TypeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
            Known = TypeInfo.Properties.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
            // The field-by-field read checks a field with its type's converter; a field with a
            // converter or number handling of its own could be judged otherwise there, so such a
            // type is always read field by field.
            if (TypeInfo.Properties.All(p => p.CustomConverter is null && p.NumberHandling is null))
                strict = (JsonTypeInfo<T>)new JsonSerializerOptions(options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow }.GetTypeInfo(typeof(T));
        }

        /// <summary>
        /// The body read in one pass, or null when it may have something wrong: an unknown field (the
        /// strict options refuse it), a value of the wrong type, text that is not valid Unicode (both
        /// throw), or an escaped NUL anywhere (<c>\u0000</c> in the raw text; a raw NUL is not valid
        /// JSON). Null sends the body to the field-by-field read, which names each problem; a body
        /// this reads is one that read finds nothing wrong with, and gives the same value.
        /// </summary>
        public T? TryReadWhole(JsonElement element)
        {
            if (strict is null || JsonMarshal.GetRawUtf8Value(element).IndexOf("\\u0000"u8) >= 0)
                return null;
            try
            {
                return element.Deserialize(strict);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException or NotSupportedException)
            {
                return null;
            }
        }
    }

    /// <summary>Why the text in a value cannot be stored (PostgreSQL text holds no NUL), or null when it can.</summary>
    private static string? TextProblem(JsonElement value)
    {
        try
        {
            return HasNul(value) ? "Must not contain the NUL character (U+0000)." : null;
        }
        catch (InvalidOperationException)
        {
            return "Must be valid Unicode text (UTF-8, no lone surrogates).";
        }
    }

    private static bool HasNul(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Contains('\0'),
        JsonValueKind.Object => value.EnumerateObject().Any(p => p.Name.Contains('\0') || HasNul(p.Value)),
        JsonValueKind.Array => value.EnumerateArray().Any(HasNul),
        _ => false,
    };

    private static string NestedMessage(JsonException ex) =>
        ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? "Unknown field." : "The value has the wrong type.";

    private static string TypeMessage(Type type, JsonElement value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var expected = target switch
        {
            _ when target == typeof(string) => "a string",
            _ when target == typeof(bool) => "true or false",
            _ when target == typeof(DateOnly) => "a date as YYYY-MM-DD",
            _ when target == typeof(int) => "a whole number",
            _ when target == typeof(decimal) || target == typeof(double) => "a number",
            _ when target.IsArray || target.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "an array",
            _ => "an object",
        };
        var got = value.ValueKind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            JsonValueKind.Null => "null",
            _ => "something else",
        };
        return value.ValueKind == JsonValueKind.Number && target == typeof(decimal)
            ? "The number is out of range."
            : $"Must be {expected}, got {got}.";
    }

    private static async Task CopyLimitedAsync(Stream source, Stream target, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
                throw new BadHttpRequestException($"The body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}

/// <summary>The request's content type is not one the route reads.</summary>
public sealed class UnsupportedContentTypeException(string message) : Exception(message);
