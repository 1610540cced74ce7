namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>The three primitive CESQL types (spec 3.1). URIs, URI references and timestamps are represented as strings.</summary>
public enum CesqlType
{
    Boolean,
    Integer,
    String,
}
