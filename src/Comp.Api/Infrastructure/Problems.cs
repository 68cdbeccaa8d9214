using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Comp.Api.Infrastructure;

/// <summary>RFC 9457 problem responses used across features.</summary>
public static class Problems
{
    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid.", type: "https://tools.ietf.org/html/rfc9110#section-15.5.1");

    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    /// <summary>A 409 refusing a request that breaks a configured rule; <c>rule</c> names its configuration key.</summary>
    public static ProblemHttpResult Conflict(string title, string detail, string rule) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title,
            extensions: new Dictionary<string, object?> { ["rule"] = rule });
}

/// <summary>
/// Errors are problem+json whatever the request's Accept header says (SPEC §4). The default
/// writer declines when Accept leaves JSON out (<c>Accept: text/csv</c>, <c>text/html</c>), which
/// turned a 401, 403 or 429 into a 500 and other errors into text/plain; this writer, registered
/// after it, answers those.
/// </summary>
public sealed class ProblemJsonFallbackWriter(IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? http.TraceIdentifier);
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, "application/problem+json", http.RequestAborted));
    }
}
