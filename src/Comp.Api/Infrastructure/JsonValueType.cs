using System.Reflection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Comp.Api.Infrastructure;

/// <summary>
/// The JSON type a property is documented with when it is held as text: a filter read as text so
/// that one validator checks the query string and a JSON body alike still takes <c>true</c> or
/// <c>3.5</c> in JSON, and clients generated from the document send those.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class JsonValueTypeAttribute(JsonSchemaType type) : Attribute
{
    public JsonSchemaType Type { get; } = type;
}

/// <summary>Applies <see cref="JsonValueTypeAttribute"/> to the OpenAPI schema of the property.</summary>
public sealed class JsonValueTypeFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.MemberInfo?.GetCustomAttribute<JsonValueTypeAttribute>() is { } attribute && schema is OpenApiSchema concrete)
            concrete.Type = attribute.Type | (concrete.Type & JsonSchemaType.Null);
    }
}
