using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Comp.Api.Infrastructure;

/// <summary>Reads a JSON array body item by item, with errors keyed by position (<c>[3].currency</c>).</summary>
public static class JsonArrayBody
{
    public static async Task<(List<T> Items, Dictionary<string, string[]> Errors)> ReadAsync<T>(
        HttpRequest request, IValidator<T> validator, int maxItems, CancellationToken cancellationToken) where T : class
    {
        if (!request.HasJsonContentType())
            throw new UnsupportedContentTypeException("Send the body as application/json.");
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var items = new List<T>();
        var errors = new Dictionary<string, string[]>();
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            errors["body"] = [$"The body is not valid JSON: {ex.Message}"];
            return (items, errors);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                errors["body"] = ["The body must be a JSON array."];
                return (items, errors);
            }
            if (document.RootElement.GetArrayLength() > maxItems)
            {
                errors["body"] = [$"At most {maxItems} items per request."];
                return (items, errors);
            }
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var body = JsonBody<T>.Read(element, options);
                if (body.Errors.Count > 0)
                {
                    foreach (var (field, messages) in body.Errors)
                        errors[$"[{index}].{field}"] = messages;
                }
                else
                {
                    var result = await validator.ValidateAsync(body.Value!, cancellationToken);
                    foreach (var (field, messages) in result.ToDictionary())
                        errors[$"[{index}].{field}"] = messages;
                    items.Add(body.Value!);
                }
                index++;
            }
        }
        return (items, errors);
    }
}
