/** Metadata of a file attached to a message; the bytes live behind `AttachmentStorage`. */
export interface MessageAttachment {
  readonly id: string;
  readonly messageId: string;
  /** Generated storage name (`{uuid}.{ext}`), never derived from user input. */
  readonly filename: string;
  /** The name the uploader gave, sanitized; metadata only, never part of a path. */
  readonly originalFilename: string;
  /** Path relative to the storage root, as returned by `AttachmentStorage.put`. */
  readonly filePath: string;
  readonly fileSize: number;
  /** Detected from the bytes, not from the name or the client's Content-Type. */
  readonly mimeType: string;
  readonly isImage: boolean;
  readonly imageWidth: number | null;
  readonly imageHeight: number | null;
  readonly thumbnailPath: string | null;
  readonly createdAt: Date;
}
