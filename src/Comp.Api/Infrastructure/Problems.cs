using Microsoft.AspNetCore.Http.HttpResults;

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
}
