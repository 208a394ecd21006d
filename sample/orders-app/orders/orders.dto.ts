import { IsNotEmpty, IsNumber, IsPositive, IsString, MaxLength } from 'class-validator';

export class PlaceOrderDto {
  @IsString() @IsNotEmpty() @MaxLength(200) customerName!: string;
  @IsNumber({ maxDecimalPlaces: 2 }) @IsPositive() totalAmount!: number;
}

export class ShipOrderDto {
  @IsString() @IsNotEmpty() trackingNumber!: string;
}

export class CancelOrderDto {
  @IsString() @IsNotEmpty() reason!: string;
}
