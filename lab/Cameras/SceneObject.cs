namespace Skylark.Events.Lab.Cameras;

/// <summary>A people-like shape bouncing around the frame on a straight path; its position is a closed form of the frame number.</summary>
internal sealed record SceneObject(
    bool IsEllipse,
    int Width,
    int Height,
    double StartX,
    double StartY,
    int MinY,
    int MaxY,
    double VelocityX,
    double VelocityY,
    byte UpperGray,
    byte LowerGray)
{
    /// <summary>Top-left corner at frame <paramref name="seq"/>, reflecting off the frame's left and right edges and off its lane (top in MinY..MaxY).</summary>
    public (int X, int Y) PositionAt(long seq, int frameWidth) =>
        ((int)Math.Round(Bounce(StartX + (VelocityX * seq), frameWidth - Width)),
         MinY + (int)Math.Round(Bounce(StartY - MinY + (VelocityY * seq), MaxY - MinY)));

    // Triangle wave: walking along a line and bouncing off both walls of [0, range].
    private static double Bounce(double position, double range)
    {
        if (range <= 0)
        {
            return 0;
        }

        var period = 2 * range;
        var phase = position % period;
        if (phase < 0)
        {
            phase += period;
        }

        return phase > range ? period - phase : phase;
    }
}
