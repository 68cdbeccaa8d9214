using Comp.Api.Features.Bands.Engine;
using Comp.Api.Infrastructure;
using FluentValidation;

namespace Comp.Api.Features.Bands;

/// <summary>
/// Validates a band route's parameters before any band is computed (after the ETag filter, which
/// answers a request it has answered before): the filter, the options and a JSON body, each by its
/// FluentValidation validator, all errors in one 400 naming every field.
/// </summary>
public sealed class BandValidationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var services = context.HttpContext.RequestServices;
        var cancellationToken = context.HttpContext.RequestAborted;
        var errors = new Dictionary<string, string[]>();
        foreach (var argument in context.Arguments)
        {
            switch (argument)
            {
                case BandFilter filter:
                    Add(errors, await services.GetRequiredService<IValidator<BandFilter>>().ValidateAsync(filter, cancellationToken));
                    break;
                case TrendOptions trend:
                    Add(errors, await services.GetRequiredService<IValidator<TrendOptions>>().ValidateAsync(trend, cancellationToken));
                    break;
                case PositionOptions position:
                    Add(errors, await services.GetRequiredService<IValidator<PositionOptions>>().ValidateAsync(position, cancellationToken));
                    break;
                case BandOptions options:
                    Add(errors, await services.GetRequiredService<IValidator<BandOptions>>().ValidateAsync(options, cancellationToken));
                    break;
                case JsonBody<CompareRequest> body when body.Errors.Count > 0 || body.Value is null:
                    return Problems.Validation(body.Errors.Count > 0 ? body.Errors : new() { ["body"] = ["A body is required."] });
                case JsonBody<CompareRequest> body:
                    Add(errors, await services.GetRequiredService<IValidator<CompareRequest>>().ValidateAsync(body.Value!, cancellationToken));
                    break;
            }
        }
        if (errors.Count == 0 && Protection.TierOf(context.HttpContext.User) == DisclosureTier.Protected && AsksForAging(context.Arguments))
            errors["agedTo"] = ["Aged figures need a key with the exact scope: protected figures are released once per cell, unaged (see methodology)."];
        return errors.Count > 0 ? Problems.Validation(errors) : await next(context);
    }

    private static bool AsksForAging(IEnumerable<object?> arguments) => arguments.Any(a => a switch
    {
        BandOptions options => !string.IsNullOrWhiteSpace(options.AgedTo),
        JsonBody<CompareRequest> body => body.Value?.AgedTo is not null,
        _ => false,
    });

    private static void Add(Dictionary<string, string[]> errors, FluentValidation.Results.ValidationResult result)
    {
        foreach (var (field, messages) in result.ToDictionary())
            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, .. messages] : messages;
    }
}

/// <summary>Names where the band data came from in the <c>X-Comp-Read-From</c> header (memory, primary or replica).</summary>
public sealed class ReadFromHeaderFilter(IBandStore store) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (store.ReadFromSource is { } source && !context.HttpContext.Response.HasStarted)
            context.HttpContext.Response.Headers[ReadFrom.Header] = source;
        return result;
    }
}
