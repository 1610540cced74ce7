using System.Globalization;

namespace Skylark.Events.Functions.Alarm;

/// <summary>Zones are the cells of a coarse grid over the frame; a box belongs to the cell holding its centre.</summary>
public static class AlarmZones
{
    /// <summary>The zone id <c>r{row}c{col}</c> (0-based, row 0 at the top).</summary>
    public static string Name(int row, int column) => string.Create(CultureInfo.InvariantCulture, $"r{row}c{column}");

    public static string Of(DetectedBox box, int frameWidth, int frameHeight, AlarmSettings settings)
    {
        ArgumentNullException.ThrowIfNull(box);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameHeight, 1);
        var centreX = box.X + (box.Width / 2.0);
        var centreY = box.Y + (box.Height / 2.0);
        var column = Math.Clamp((int)Math.Floor(centreX * settings.GridColumns / frameWidth), 0, settings.GridColumns - 1);
        var row = Math.Clamp((int)Math.Floor(centreY * settings.GridRows / frameHeight), 0, settings.GridRows - 1);
        return Name(row, column);
    }

    /// <summary>The distinct zones of <paramref name="boxes"/>, sorted.</summary>
    public static IReadOnlyList<string> Of(IEnumerable<DetectedBox> boxes, int frameWidth, int frameHeight, AlarmSettings settings) =>
        [.. boxes.Select(b => Of(b, frameWidth, frameHeight, settings)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
