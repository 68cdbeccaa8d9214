namespace Comp.Api.Infrastructure;

/// <summary>
/// A request refused where the reason is found, deep in a service: <see cref="ProblemExceptionHandler"/>
/// writes it as a problem response with its status and the fields it names (none: a plain problem
/// with <see cref="Detail"/>, and <see cref="Rule"/> as the <c>rule</c> member when the refusal
/// enforces a configured rule).
/// </summary>
public sealed class ProblemException(int status, string title, IReadOnlyDictionary<string, string[]> errors, string? detail = null, string? rule = null) : Exception(title)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public string? Detail { get; } = detail;

    /// <summary>The configuration key of the rule that refused the request, e.g. <c>Disclosure:MinPeerGroupEmployers</c>.</summary>
    public string? Rule { get; } = rule;
}
