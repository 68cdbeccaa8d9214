namespace Comp.Api.Data;

/// <summary>The form of the slugs that name employers, roles and role families.</summary>
public static class Slugs
{
    public const string Pattern = "^[a-z0-9]+(-[a-z0-9]+)*$";
    public const string Message = "Must be a slug of lower-case letters, digits and single hyphens, e.g. google-deepmind.";
}
