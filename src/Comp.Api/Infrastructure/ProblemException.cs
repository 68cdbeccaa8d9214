namespace Comp.Api.Infrastructure;

/// <summary>
/// A request refused where the reason is found, deep in a service: <see cref="ProblemExceptionHandler"/>
/// writes it as a problem response with its status and the fields it names.
/// </summary>
public sealed class ProblemException(int status, string title, IReadOnlyDictionary<string, string[]> errors) : Exception(title)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
