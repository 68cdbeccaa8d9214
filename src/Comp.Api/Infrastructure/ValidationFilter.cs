using FluentValidation;

namespace Comp.Api.Infrastructure;

/// <summary>
/// Runs on a route that takes a <see cref="JsonBody{T}"/>: answers 400 with every field's errors
/// when the body could not be read or its <see cref="IValidator{T}"/> rejects it.
/// </summary>
public sealed class ValidationFilter<T> : IEndpointFilter where T : class
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = context.Arguments.OfType<JsonBody<T>>().FirstOrDefault()
            ?? throw new InvalidOperationException($"{context.HttpContext.GetEndpoint()?.DisplayName} takes no JsonBody<{typeof(T).Name}>.");
        if (body.Errors.Count > 0 || body.Value is null)
            return Problems.Validation(body.Errors.Count > 0 ? body.Errors : new() { ["body"] = ["A body is required."] });

        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
        var result = await validator.ValidateAsync(body.Value, context.HttpContext.RequestAborted);
        if (!result.IsValid)
            return Problems.Validation(result.ToDictionary());
        return await next(context);
    }
}

public static class ValidationFilterExtensions
{
    /// <summary>Registers the validators; errors name fields as clients write them (camelCase JSON names).</summary>
    public static IServiceCollection AddValidators(this IServiceCollection services)
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = ValidatorOptions.Global.PropertyNameResolver;
        return services.AddValidatorsFromAssembly(typeof(ValidationFilterExtensions).Assembly, ServiceLifetime.Singleton);
    }

    /// <summary>Reads the body as <typeparamref name="T"/>, validates it, and documents it for OpenAPI.</summary>
    public static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder builder) where T : class =>
        builder.AddEndpointFilter<ValidationFilter<T>>()
            .Accepts<T>("application/json")
            .ProducesValidationProblem();
}
