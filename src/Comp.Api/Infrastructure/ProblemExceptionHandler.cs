using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Comp.Api.Infrastructure;

/// <summary>
/// Turns request errors that escape a handler (unreadable bodies, wrong content types, bad
/// parameter binding) into problem responses; anything else is a 500 problem, logged.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, errors) = exception switch
        {
            ProblemException e => (e.Status, e.Title, e.Detail, e.Errors.Count > 0 ? new Dictionary<string, string[]>(e.Errors) : null),
            UnsupportedContentTypeException e => (StatusCodes.Status415UnsupportedMediaType, "Unsupported content type.", e.Message, null),
            BadHttpRequestException { InnerException: System.Text.Json.JsonException json } =>
                (StatusCodes.Status400BadRequest, "The request is not valid.", "The body is not valid JSON.",
                    new Dictionary<string, string[]> { [FieldOf(json.Path)] = [json.Message] }),
            BadHttpRequestException e => (e.StatusCode, "The request is not valid.", e.Message, null),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "Client closed request.", null, null),
            _ when IsDatabaseUnavailable(exception) =>
                (StatusCodes.Status503ServiceUnavailable, "The database is unavailable.", "Retry after the Retry-After delay; writes sent with an Idempotency-Key are never stored twice by a retry.", null),
            _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred.", null, (Dictionary<string, string[]>?)null),
        };
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
            logger.LogWarning(exception, "Database unavailable on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        else if (status >= 500)
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);

        httpContext.Response.StatusCode = status;
        var problem = errors is null
            ? new ProblemDetails { Status = status, Title = title, Detail = detail }
            : new HttpValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail };
        if (exception is ProblemException { Rule: { } rule })
            problem.Extensions["rule"] = rule;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>A connection that cannot be made or was lost (after the execution strategy's retries): the service is fine, the database is not.</summary>
    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException)
                return true;
            if (e is Npgsql.PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" }) // shutdown, crash, cannot connect now, too many connections
                return true;
        }
        return false;
    }

    private static string FieldOf(string? path) => path?.TrimStart('$', '.') is { Length: > 0 } p ? p : "body";
}
