/**
 * LABELCAST_VISION_ENGINE_SOCKET's value and the socket it names (./engine-connection.ts). A Linux abstract socket's
 * name starts with a NUL byte, which no environment variable can hold: the setting writes it as '@', as `ss` and
 * /proc/net/unix print it. A name without either is a path.
 */

/** The socket a setting names: a leading '@' becomes the abstract namespace's NUL byte. */
export const socketFromSetting = (setting: string): string => setting.replace(/^@/, '\0');

/** The setting (and the printable name) of a socket: an abstract socket's NUL byte becomes '@'. */
export const settingFromSocket = (socket: string): string => socket.replace(/^\0/, '@');
