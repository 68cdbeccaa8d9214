using System.Net;
using System.Text;
using System.Text.Json;

namespace Comp.Client;

/// <summary>
/// The API answered with an error status (after any retries). Carries the RFC 9457 problem details
/// when the body is one, and the raw body always.
/// </summary>
public sealed class CompApiException : Exception
{
    private CompApiException(string message, HttpStatusCode statusCode, Problem? problem, string body) : base(message)
    {
        StatusCode = statusCode;
        Title = problem?.Title;
        Detail = problem?.Detail;
        Errors = problem?.Errors ?? [];
        Rejected = problem?.Rejected ?? [];
        Body = body;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem's <c>title</c>, e.g. "The request is not valid.".</summary>
    public string? Title { get; }

    /// <summary>The problem's <c>detail</c>.</summary>
    public string? Detail { get; }

    /// <summary>Validation errors: field → messages (empty when none).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The rows a refused batch was refused for (empty when none).</summary>
    public IReadOnlyList<RejectedRow> Rejected { get; }

    /// <summary>The response body as received.</summary>
    public string Body { get; }

    internal static async Task<CompApiException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Problem? problem = null;
        try
        {
            problem = JsonSerializer.Deserialize<Problem>(body, CompClient.Json);
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's HTML page, an empty body): Body still has it.
        }

        var request = response.RequestMessage;
        var message = new StringBuilder($"{request?.Method} {request?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}");
        if (problem?.Title is { } title)
            message.Append(": ").Append(title);
        if (problem?.Detail is { } detail)
            message.Append(' ').Append(detail);
        foreach (var (field, messages) in (problem?.Errors ?? []).Take(5))
            message.Append($" {field}: {string.Join(" ", messages)}");
        if (problem?.Rejected is { Count: > 0 } rejected)
            message.Append($" ({rejected.Count} rows rejected)");
        return new CompApiException(message.ToString(), response.StatusCode, problem, body);
    }

    private sealed record Problem(string? Title, string? Detail, Dictionary<string, string[]>? Errors, List<RejectedRow>? Rejected);
}
