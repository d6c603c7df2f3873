package dev.jgo.assembly.internal;

/** Placeholder replaced below. */
final class Main {
    public static void main(String[] args) {}
}
